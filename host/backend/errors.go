package backend

import "errors"

// Errors returned by Module.Call; callers branch on them with errors.Is.
var (
	// ErrTimeout: the call ran past the module's timeout and was stopped.
	ErrTimeout = errors.New("backend call timed out")
	// ErrInputTooLarge: the input exceeds Config.MaxInput; nothing ran.
	ErrInputTooLarge = errors.New("backend input too large")
	// ErrOutputTooLarge: the guest's output exceeds Config.MaxOutput; it was
	// not copied out of the guest's memory.
	ErrOutputTooLarge = errors.New("backend output too large")
	// ErrNoExport: the module has no export of that name.
	ErrNoExport = errors.New("backend has no such export")
	// ErrClosed: the module (or its engine) was closed.
	ErrClosed = errors.New("backend closed")
	// ErrMemoryLimit: the guest failed while its memory was at the limit. Such an error
	// also matches ErrTrap.
	ErrMemoryLimit = errors.New("backend memory limit reached")
	// ErrTrap: the guest trapped, panicked or exited; its instance was discarded.
	ErrTrap = errors.New("backend trapped")
)

// GuestError is an error the guest reported itself (error_set, or a non-zero status).
type GuestError struct {
	Message string
}

// Error returns the guest's message.
func (e *GuestError) Error() string { return e.Message }
