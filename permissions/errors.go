package permissions

import (
	"errors"
	"fmt"
)

// Sentinel errors. A [*Denial] matches the sentinel of its reason with
// errors.Is; ErrBadPath is returned (wrapped) by [ResolvePath].
var (
	// ErrUnknownPermission: the permission is neither in the catalog nor a
	// valid backend command permission.
	ErrUnknownPermission = errors.New("unknown permission")
	// ErrNotDeclared: the plugin's manifest does not ask for the permission.
	ErrNotDeclared = errors.New("not declared")
	// ErrAboveCeiling: the admin's policy blocks the permission.
	ErrAboveCeiling = errors.New("above admin ceiling")
	// ErrNotGranted: the user has not granted the permission.
	ErrNotGranted = errors.New("not granted")
	// ErrOutOfScope: the path or URL is outside every declared scope.
	ErrOutOfScope = errors.New("out of scope")
	// ErrBadPath: a path or path pattern is malformed or cannot be resolved.
	ErrBadPath = errors.New("bad path")
	// ErrBadURL: a URL's host or path is in a form Warden does not decide
	// on, because servers, resolvers or HTTP clients could read it as
	// another host or path (see [CheckURLHost] and [CanonicalURLPath]).
	ErrBadURL = errors.New("bad url")
)

// Reason says which check denied a request. The values are stable and meant
// for audit records.
type Reason string

// The reasons, in the order [Subject.Decide] checks them.
const (
	ReasonUnknownPermission Reason = "unknown_permission"
	ReasonNotDeclared       Reason = "not_declared"
	ReasonAboveCeiling      Reason = "above_ceiling"
	ReasonNotGranted        Reason = "not_granted"
	ReasonOutOfScope        Reason = "out_of_scope"
)

// Denial says why a request was denied.
type Denial struct {
	Reason     Reason
	Permission string
	// Detail is a human-readable explanation, possibly empty.
	Detail string
}

// Error renders the denial, for example
// `permission "fs.read" denied: out of scope: /etc/passwd matches no declared fs.read scope`.
func (d *Denial) Error() string {
	s := fmt.Sprintf("permission %q denied: %s", d.Permission, d.sentinel())
	if d.Detail != "" {
		s += ": " + d.Detail
	}
	return s
}

// Is lets errors.Is match a denial against the sentinel of its reason.
func (d *Denial) Is(target error) bool {
	return target == d.sentinel()
}

func (d *Denial) sentinel() error {
	switch d.Reason {
	case ReasonUnknownPermission:
		return ErrUnknownPermission
	case ReasonNotDeclared:
		return ErrNotDeclared
	case ReasonAboveCeiling:
		return ErrAboveCeiling
	case ReasonNotGranted:
		return ErrNotGranted
	case ReasonOutOfScope:
		return ErrOutOfScope
	}
	return errDenied
}

var errDenied = errors.New("denied")
