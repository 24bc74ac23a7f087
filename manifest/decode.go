package manifest

import (
	"errors"

	"github.com/wardenhq/warden/internal/strictjson"
)

// decodeOptions describes a manifest to the strict decoder: arrays are
// short lists, and an optional number's 0 means "unset", so an explicit 0
// is refused rather than silently dropped.
var decodeOptions = strictjson.Options{
	Name:        "manifest",
	MaxSize:     MaxSize,
	MaxArrayLen: 256,
	IntegerNoun: "an integer",
	RefuseZero:  true,
}

// Parse decodes and validates a manifest strictly. Unknown fields, wrong
// types, null values, trailing data, duplicate keys, invalid UTF-8 and bad
// values are errors; each is a *FieldError naming the field path and, where
// the position is known, the line and column, and saying what is allowed.
// JSON-level problems stop at the first; value problems are all reported,
// joined with errors.Join.
func Parse(data []byte) (*Manifest, error) {
	var m Manifest
	pos, err := strictjson.Decode(data, &m, decodeOptions)
	if err != nil {
		return nil, fieldError(err)
	}
	if err := m.validate(); err != nil {
		return nil, locate(err, data, pos)
	}
	return &m, nil
}

// fieldError converts a decoding error to a *FieldError.
func fieldError(err error) error {
	var se *strictjson.Error
	if !errors.As(err, &se) {
		return err
	}
	return &FieldError{Field: se.Field, Line: se.Line, Column: se.Column, Msg: se.Msg}
}

// locate fills in the line and column of validation errors from the
// positions recorded while decoding; a missing field points at its parent.
func locate(err error, data []byte, pos strictjson.Positions) error {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		fe, ok := e.(*FieldError)
		if !ok || fe.Line > 0 {
			continue
		}
		if off, ok := pos.Find(fe.Field); ok {
			fe.Line, fe.Column = strictjson.LineCol(data, off)
		}
	}
	return err
}

// Locate fills in the line and column of the *FieldErrors in err (one, or
// several joined) that have none, such as those of [Manifest.CheckFiles],
// from the manifest's bytes data, and returns err. A field data does not
// hold points at its nearest enclosing value. Cost: one more decode of
// data; when data does not decode, err is returned as it is.
func Locate(err error, data []byte) error {
	var m Manifest
	pos, derr := strictjson.Decode(data, &m, decodeOptions)
	if derr != nil {
		return err
	}
	return locate(err, data, pos)
}
