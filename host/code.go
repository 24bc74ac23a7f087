package host

import (
	"context"
	"errors"

	"github.com/wardenhq/warden/host/backend"
	"github.com/wardenhq/warden/host/fetch"
	"github.com/wardenhq/warden/host/files"
	"github.com/wardenhq/warden/host/storage"
	"github.com/wardenhq/warden/isolation"
	"github.com/wardenhq/warden/permissions"
)

// Code is a stable machine code for why a request was denied or failed. It
// appears in replies and in the audit log.
type Code string

// Denials: the mediator refused the request before any capability ran.
const (
	CodeEmpty          Code = "empty"
	CodeTooLarge       Code = "too_large"
	CodeUnsealed       Code = "unsealed"
	CodeMalformed      Code = "malformed"
	CodeWrongPlugin    Code = "wrong_plugin"
	CodeWrongLaunch    Code = "wrong_launch"
	CodeTampered       Code = "tampered"
	CodeReplay         Code = "replay"
	CodeSeqOrder       Code = "seq_order"
	CodeRateLimited    Code = "rate_limited"
	CodeBusy           Code = "too_many_in_flight"
	CodeUnknownCmd     Code = "unknown_command"
	CodeNotDeclared    Code = "not_declared"
	CodeAboveCeiling   Code = "above_ceiling"
	CodeNotGranted     Code = "not_granted"
	CodeOutOfScope     Code = "out_of_scope"
	CodeBadPath        Code = "bad_path"
	CodeBadArgs        Code = "bad_args"
	CodeBackendOnly    Code = "backend_only"
	CodeNotFromGuest   Code = "not_from_backend"
	CodeStopped        Code = "stopped"
	CodeUnknownPerm    Code = "unknown_permission"
	CodeRedirectDenied Code = "redirect_denied"
	// CodeNotExported: messaging.call named a command the other plugin
	// does not list in its manifest's "exports".
	CodeNotExported Code = "not_exported"
	// CodeNoUserGesture: clipboard.read or a file dialog was asked for
	// without the user's own key or button press in the plugin's window
	// within the last second, or while the window did not have the focus.
	CodeNoUserGesture Code = "no_user_gesture"
)

// Failures: the request was allowed and the capability or backend failed.
const (
	CodeFailed       Code = "failed"
	CodeTimeout      Code = "timeout"
	CodeQuota        Code = "quota_exceeded"
	CodeBackendError Code = "backend_error"
	CodeNoExport     Code = "no_such_export"
	CodeCanceled     Code = "canceled"
	CodeMemoryLimit  Code = "memory_limit"
	CodeTrap         Code = "backend_trap"
	// CodeReplyTooLarge: the request ran but its result is larger than
	// one reply may be (Limits.MaxReply).
	CodeReplyTooLarge Code = "reply_too_large"
)

var denials = map[Code]bool{
	CodeEmpty: true, CodeTooLarge: true, CodeUnsealed: true, CodeMalformed: true,
	CodeWrongPlugin: true, CodeWrongLaunch: true, CodeTampered: true, CodeReplay: true,
	CodeSeqOrder: true, CodeRateLimited: true, CodeBusy: true, CodeUnknownCmd: true,
	CodeNotDeclared: true, CodeAboveCeiling: true, CodeNotGranted: true, CodeOutOfScope: true,
	CodeBadPath: true, CodeBadArgs: true, CodeBackendOnly: true, CodeNotFromGuest: true,
	CodeStopped: true, CodeUnknownPerm: true, CodeRedirectDenied: true, CodeNotExported: true,
	CodeNoUserGesture: true,
}

// Denial reports whether c is a refusal by the mediator rather than a
// failure of an allowed request.
func (c Code) Denial() bool { return denials[c] }

// codeOf classifies an error from the envelope, the decision or a capability.
func codeOf(err error) Code {
	var d *permissions.Denial
	if errors.As(err, &d) {
		switch {
		case errors.Is(err, permissions.ErrUnknownPermission):
			return CodeUnknownPerm
		case errors.Is(err, permissions.ErrNotDeclared):
			return CodeNotDeclared
		case errors.Is(err, permissions.ErrAboveCeiling):
			return CodeAboveCeiling
		case errors.Is(err, permissions.ErrNotGranted):
			return CodeNotGranted
		case errors.Is(err, permissions.ErrOutOfScope):
			if errors.Is(err, errRedirect) {
				return CodeRedirectDenied
			}
			return CodeOutOfScope
		}
	}
	for _, m := range codeTable {
		if errors.Is(err, m.err) {
			return m.code
		}
	}
	var ge *backend.GuestError
	if errors.As(err, &ge) {
		return CodeBackendError
	}
	var ce *codedError
	if errors.As(err, &ce) {
		return ce.code
	}
	return CodeFailed
}

var codeTable = []struct {
	err  error
	code Code
}{
	{isolation.ErrEmpty, CodeEmpty},
	{isolation.ErrTooLarge, CodeTooLarge},
	{isolation.ErrUnsealed, CodeUnsealed},
	{isolation.ErrMalformed, CodeMalformed},
	{isolation.ErrWrongPlugin, CodeWrongPlugin},
	{isolation.ErrWrongLaunch, CodeWrongLaunch},
	{isolation.ErrTampered, CodeTampered},
	{isolation.ErrReplay, CodeReplay},
	{isolation.ErrSeqOrder, CodeSeqOrder},
	{permissions.ErrBadPath, CodeBadPath},
	{backend.ErrTimeout, CodeTimeout},
	{backend.ErrInputTooLarge, CodeTooLarge},
	{backend.ErrOutputTooLarge, CodeReplyTooLarge},
	{ErrReplyTooLarge, CodeReplyTooLarge},
	{backend.ErrNoExport, CodeNoExport},
	{backend.ErrMemoryLimit, CodeMemoryLimit},
	{backend.ErrTrap, CodeTrap},
	{storage.ErrQuotaExceeded, CodeQuota},
	{storage.ErrInvalidKey, CodeBadArgs},
	{storage.ErrInvalidPlugin, CodeBadArgs},
	{storage.ErrValueTooLarge, CodeTooLarge},
	{fetch.ErrTooManyRedirects, CodeFailed},
	{fetch.ErrTimeout, CodeTimeout},
	{files.ErrBadPath, CodeBadPath},
	{fetch.ErrTooLarge, CodeTooLarge},
	{fetch.ErrScheme, CodeOutOfScope},
	{fetch.ErrPrivateAddress, CodeOutOfScope},
	{fetch.ErrBadRequest, CodeBadArgs},
	{files.ErrTooLarge, CodeTooLarge},
	{files.ErrSymlink, CodeOutOfScope},
	{files.ErrNotRegular, CodeFailed},
	{ErrNoUserGesture, CodeNoUserGesture},
	{context.DeadlineExceeded, CodeTimeout},
	{context.Canceled, CodeCanceled},
}

// codedError carries a code the mediator chose itself.
type codedError struct {
	code Code
	msg  string
}

func (e *codedError) Error() string { return e.msg }

// Deny returns an error that reaches the plugin as a reply with code and
// message, and is audited with that code. A capability's handler uses it
// to refuse a request in its own terms (CodeBadArgs for arguments it cannot
// take, say); codes that are not denials (Code.Denial) are audited as
// failures of an allowed request.
func Deny(code Code, message string) error { return &codedError{code: code, msg: message} }
