package policy

import (
	"errors"
	"fmt"
)

// Sentinel errors. Parse and Load errors match ErrInvalid; a denied
// [Decision]'s Err matches the sentinel of the check that denied it.
var (
	// ErrInvalid matches every *Error: the policy file does not parse or
	// breaks a rule.
	ErrInvalid = errors.New("invalid policy")
	// ErrBlocked: the plugin is not allowed at all, by a matching entry
	// with "allow": false or by "default": "block" with no entry.
	ErrBlocked = errors.New("plugin blocked by policy")
	// ErrVersionNotAllowed: the plugin is allowed but not this version
	// (outside "versions", below "min_version" or not the "pin").
	ErrVersionNotAllowed = errors.New("version not allowed by policy")
	// ErrUnsigned: the policy requires signatures and the bundle has none.
	ErrUnsigned = errors.New("unsigned bundle refused by policy")
	// ErrUntrustedPublisher: the bundle is signed by a key that is not in
	// the policy's trusted_keys.
	ErrUntrustedPublisher = errors.New("publisher key not trusted by policy")
	// ErrPermissionBlocked: the plugin asks for a permission the policy
	// blocks.
	ErrPermissionBlocked = errors.New("permission blocked by policy")
	// ErrDeveloperModeOff: the policy sets "developer_mode": false and a
	// plugin was to run from a source directory.
	ErrDeveloperModeOff = errors.New("developer mode turned off by policy")
	// ErrHookMismatch: the isolation hook's file does not match the
	// SHA-256 the policy pins; no plugin window may open without the hook.
	ErrHookMismatch = errors.New("isolation hook does not match its sha256 pin")
	// ErrHookUnreadable: the isolation hook's file is missing, unreadable,
	// empty, too large or not script text; no plugin window may open
	// without the hook.
	ErrHookUnreadable = errors.New("isolation hook cannot be used")
)

// Error is one problem in a policy file. Field is the JSON path of the value
// ("plugins[2].versions", "ceilings.invoke_rate"; empty for the document
// itself); Line and Column are 1-based (columns count characters) and 0
// when the position is not known. File is the file name when known.
type Error struct {
	File         string
	Field        string
	Line, Column int
	Msg          string
}

// Error renders the problem as
// "/etc/warden/policy.json:7:19: plugins[0].versions: invalid semver constraint ...".
func (e *Error) Error() string {
	s := e.File
	if s == "" {
		s = "policy"
	}
	if e.Line > 0 {
		s += fmt.Sprintf(":%d:%d", e.Line, e.Column)
	}
	if e.Field != "" {
		s += ": " + e.Field
	}
	return s + ": " + e.Msg
}

// Is makes every *Error match ErrInvalid.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// problems collects the value errors found by validation.
type problems []error

func (p *problems) add(field, format string, args ...any) {
	*p = append(*p, &Error{Field: field, Msg: fmt.Sprintf(format, args...)})
}

// err returns nil, the one problem, or all of them joined.
func (p problems) err() error {
	switch len(p) {
	case 0:
		return nil
	case 1:
		return p[0]
	}
	return errors.Join(p...)
}

// eachError calls fn for every *Error in err, which is one *Error or
// several joined.
func eachError(err error, fn func(*Error)) {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			eachError(e, fn)
		}
		return
	}
	var pe *Error
	if errors.As(err, &pe) {
		fn(pe)
	}
}
