package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/wardenhq/warden/plugins/policy"
)

// errHookNeedsWindow refuses warden call while an isolation hook is in
// force: call seals requests itself, with no isolation frame to run the
// hook in, so it would reach the core around the admin's hook.
var errHookNeedsWindow = errors.New("the policy's isolation hook runs only in plugin windows")

// refuseCallUnderHook returns errHookNeedsWindow, naming the hooks, when
// pol names any.
func refuseCallUnderHook(pol *policy.Policy) error {
	hooks := pol.IsolationHooks()
	if len(hooks) == 0 {
		return nil
	}
	var paths []string
	for _, h := range hooks {
		paths = append(paths, h.Path)
	}
	return fmt.Errorf("%w: every request a plugin makes must pass %s, which warden call cannot run; use warden open or warden run", errHookNeedsWindow, strings.Join(paths, " and "))
}

// describeHooks returns one line per isolation hook in force: its file,
// its pin, whose it is and whether the file matches the pin now; "none"
// when there is none. errs says why each hook that cannot be used cannot.
func describeHooks(pol *policy.Policy) (lines []string, errs []error) {
	hooks := pol.IsolationHooks()
	if len(hooks) == 0 {
		return []string{"none"}, nil
	}
	for _, h := range hooks {
		who := ""
		if h.User {
			who = ", the user's own"
		}
		state := ""
		if data, err := h.Read(); err != nil {
			errs = append(errs, err)
			state = "NOT USABLE, no plugin window opens"
			if errors.Is(err, policy.ErrHookMismatch) {
				state = "DOES NOT MATCH ITS PIN, no plugin window opens"
			}
		} else {
			state = fmt.Sprintf("%d bytes, matches its pin", len(data))
		}
		lines = append(lines, fmt.Sprintf("%s (sha256 %s%s): %s", h.Path, h.Pin(), who, state))
	}
	return lines, errs
}

// writeHooks writes describeHooks' lines under label, the value column at
// width.
func writeHooks(w io.Writer, label string, width int, lines []string) {
	for i, l := range lines {
		head := ""
		if i == 0 {
			head = label + ":"
		}
		fmt.Fprintf(w, "%-*s%s\n", width, head, l)
	}
}

// hookJSON is an isolation hook in force as warden info --json shows it.
type hookJSON struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	User   bool   `json:"user,omitempty"`
	// Error says why the hook cannot be used now; "" when its file
	// matches the pin.
	Error string `json:"error,omitempty"`
}

func hooksJSON(pol *policy.Policy) []hookJSON {
	var out []hookJSON
	for _, h := range pol.IsolationHooks() {
		j := hookJSON{Path: h.Path, SHA256: h.Pin(), User: h.User}
		if _, err := h.Read(); err != nil {
			j.Error = err.Error()
		}
		out = append(out, j)
	}
	return out
}
