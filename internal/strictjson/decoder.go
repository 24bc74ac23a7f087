package strictjson

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// decoder walks a document token by token, which is what lets it see
// duplicate keys and positions that json.Unmarshal hides.
type decoder struct {
	data []byte
	dec  *json.Decoder
	pos  Positions
	opts Options
}

func (d *decoder) name() string { return d.opts.orDefault(d.opts.Name, "document") }
func (d *decoder) rootMessage() string {
	return d.opts.orDefault(d.opts.RootMessage, "must be an object")
}
func (d *decoder) integerNoun() string { return d.opts.orDefault(d.opts.IntegerNoun, "a whole number") }

func (d *decoder) errAt(off int, field, msg string) *Error {
	line, col := LineCol(d.data, off)
	return &Error{Field: field, Line: line, Column: col, Msg: msg}
}

// next returns the offset of the next token: past what the decoder has
// read, skipping whitespace and the separators it consumes lazily.
func (d *decoder) next() int {
	off := int(d.dec.InputOffset())
	for off < len(d.data) {
		switch d.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}

// token reads the next token and where it starts, turning syntax errors
// into *Error.
func (d *decoder) token(field string) (json.Token, int, error) {
	start := d.next()
	tok, err := d.dec.Token()
	if err == nil {
		return tok, start, nil
	}
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return nil, start, d.errAt(d.syntaxOffset(start), field, "invalid JSON: "+strings.TrimPrefix(se.Error(), "json: "))
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		return nil, start, d.errAt(len(d.data), field, "invalid JSON: unexpected end of input")
	}
	return nil, start, d.errAt(start, field, "invalid JSON: "+err.Error())
}

// syntaxOffset finds where a syntax error is. A json.Decoder's offsets are
// sometimes relative to the current value or one byte off, but Unmarshal's
// validity check counts exactly, so the data is checked again; this costs
// one scan, on error only.
func (d *decoder) syntaxOffset(fallback int) int {
	var se *json.SyntaxError
	if errors.As(json.Unmarshal(d.data, new(json.RawMessage)), &se) && se.Offset > 0 {
		return int(se.Offset) - 1
	}
	return fallback
}
