package host

import (
	"fmt"
	"strings"

	"github.com/wardenhq/warden/permissions"
)

// deniedError is a permission denial reworded in the plugin's terms: the
// command, and what its manifest, the admin or the user would have to
// change. It unwraps to the *permissions.Denial, so the reply's code and
// the audit's reason are the denial's.
type deniedError struct {
	msg string
	err error
}

func (e *deniedError) Error() string { return e.msg }
func (e *deniedError) Unwrap() error { return e.err }

// explainDenial rewords err, a denial from c's permission subject, as
// `<command>: <why, in the plugin's terms>`, for example
// `backend.nope: the plugin's manifest does not list "nope" in commands (it lists: greet)`.
// Other errors are returned as they are.
func explainDenial(c *Call, err error) error {
	d, ok := err.(*permissions.Denial)
	if !ok {
		return err
	}
	m := c.Plugin.manifest
	var why string
	switch d.Reason {
	case permissions.ReasonNotDeclared:
		if name, ok := strings.CutPrefix(d.Permission, permissions.BackendPrefix); ok {
			why = fmt.Sprintf("the plugin's manifest does not list %q in commands (it lists: %s)", name, listOrNone(m.Commands))
		} else {
			why = fmt.Sprintf("the plugin's manifest does not list %q in permissions (it lists: %s)", d.Permission, listOrNone(m.Permissions))
		}
	case permissions.ReasonUnknownPermission:
		why = fmt.Sprintf("it needs permission %q, which this host does not know", d.Permission)
	case permissions.ReasonAboveCeiling:
		why = fmt.Sprintf("the admin's policy blocks the %q permission", d.Permission)
	case permissions.ReasonNotGranted:
		why = fmt.Sprintf("the user has not granted the %q permission", d.Permission)
	default:
		why = d.Detail
		if why == "" {
			why = d.Error()
		}
	}
	return &deniedError{msg: c.Command + ": " + why, err: d}
}

// listOrNone joins names for a message, or says "none".
func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
