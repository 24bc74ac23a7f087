package manifest

import (
	"errors"
	"fmt"
)

// Sentinel errors.
var (
	// ErrInvalid matches every *FieldError with errors.Is.
	ErrInvalid = errors.New("invalid manifest")
	// ErrHostIncompatible means the plugin does not support the running
	// host version.
	ErrHostIncompatible = errors.New("host version not supported by plugin")
)

// FieldError is one problem in a manifest. Field is the JSON path of the
// value ("backend.timeout_ms", "commands[2]"; empty for the document
// itself); Line and Column (1-based, columns counted in characters) are 0
// when the position is not known.
type FieldError struct {
	Field        string
	Line, Column int
	Msg          string
}

// Error renders the problem as
// "manifest.json:3:5: backend.timeout_ms: must be between 1 and 60000, got 0".
func (e *FieldError) Error() string {
	s := FileName
	if e.Line > 0 {
		s += fmt.Sprintf(":%d:%d", e.Line, e.Column)
	}
	if e.Field != "" {
		s += ": " + e.Field
	}
	return s + ": " + e.Msg
}

// Is makes every FieldError match ErrInvalid.
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }
