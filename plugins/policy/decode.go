package policy

import (
	"errors"

	"github.com/wardenhq/warden/internal/strictjson"
)

// MaxSize is the largest policy file accepted, in bytes.
const MaxSize = 1 << 20

// maxArrayLen bounds every array in a policy file.
const maxArrayLen = 4096

// decodeOptions describes a policy file to the strict decoder. Integers are
// held to 15 digits so that no ceiling overflows when converted to other
// units.
var decodeOptions = strictjson.Options{
	Name:        "policy",
	RootMessage: "the policy must be a JSON object",
	MaxSize:     MaxSize,
	MaxArrayLen: maxArrayLen,
	MaxDigits:   15,
}

// decode parses data strictly into v (a pointer to one of the file types),
// recording where each value starts by JSON path. Unknown fields, duplicate
// keys, wrong types, null, trailing data and invalid UTF-8 are errors; the
// first one stops decoding.
func decode(data []byte, v any) (strictjson.Positions, error) {
	pos, err := strictjson.Decode(data, v, decodeOptions)
	if err != nil {
		var se *strictjson.Error
		if errors.As(err, &se) {
			return nil, &Error{Field: se.Field, Line: se.Line, Column: se.Column, Msg: se.Msg}
		}
		return nil, err
	}
	return pos, nil
}

// locate fills in the line and column of validation errors from the
// positions recorded while decoding; a missing field points at its parent.
func locate(err error, data []byte, pos strictjson.Positions) {
	eachError(err, func(e *Error) {
		if e.Line > 0 {
			return
		}
		if off, ok := pos.Find(e.Field); ok {
			e.Line, e.Column = strictjson.LineCol(data, off)
		}
	})
}
