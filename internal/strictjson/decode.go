package strictjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"unicode/utf8"
)

// Options says how one kind of document is decoded and what its messages
// call it. The zero value has no limits and neutral wording.
type Options struct {
	// Name is what the document is called in messages, as in "unexpected
	// data after the policy object"; "document" when empty.
	Name string
	// RootMessage is what is said when the top-level value is not an
	// object, before ", got an array"; "must be an object" when empty.
	RootMessage string
	// MaxSize is the largest document accepted, in bytes; 0 means no limit.
	MaxSize int
	// MaxArrayLen bounds the entries of every array; 0 means no limit.
	MaxArrayLen int
	// MaxDigits bounds the digits of every integer; 0 means only the range
	// of the Go type does. An int field always holds 32 bits, so that a
	// document means the same on every platform.
	MaxDigits int
	// IntegerNoun names an integer in type errors, as in "must be an
	// integer, got a string"; "a whole number" when empty.
	IntegerNoun string
	// RefuseZero makes an explicit 0 in an integer field tagged omitempty
	// an error, for documents where 0 means "unset": the value would
	// otherwise be dropped silently.
	RefuseZero bool
}

// Decode parses data strictly into v, which must be a non-nil pointer to a
// struct, and returns where each value starts. Every error is an *Error;
// the first problem stops decoding and leaves v partly filled. Decode reads
// data once; on a syntax error it scans data again to place it exactly.
func Decode(data []byte, v any, opts Options) (Positions, error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		panic(fmt.Sprintf("strictjson: Decode needs a non-nil pointer to a struct, got %T", v))
	}
	if opts.MaxSize > 0 && len(data) > opts.MaxSize {
		return nil, &Error{Msg: fmt.Sprintf("file is %d bytes, larger than the %d allowed", len(data), opts.MaxSize)}
	}
	d := &decoder{data: data, pos: make(Positions), opts: opts}
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return nil, d.errAt(0, "", "byte order mark not allowed; save the file as UTF-8 without BOM")
	}
	if off, ok := invalidUTF8(data); ok {
		return nil, d.errAt(off, "", "invalid UTF-8")
	}
	d.dec = json.NewDecoder(bytes.NewReader(data))
	d.dec.UseNumber()
	tok, start, err := d.token("")
	if err != nil {
		return nil, err
	}
	if tok != json.Delim('{') {
		return nil, d.errAt(start, "", d.rootMessage()+", got "+describe(tok))
	}
	d.pos[""] = start
	if err := d.object(rv.Elem(), ""); err != nil {
		return nil, err
	}
	start = d.next()
	if _, err := d.dec.Token(); err != io.EOF {
		return nil, d.errAt(start, "", "unexpected data after the "+d.name()+" object")
	}
	return d.pos, nil
}

// invalidUTF8 returns the offset of the first byte that is not valid UTF-8.
func invalidUTF8(data []byte) (int, bool) {
	if utf8.Valid(data) {
		return 0, false
	}
	off := 0
	for off < len(data) {
		r, n := utf8.DecodeRune(data[off:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		off += n
	}
	return off, true
}

func (o Options) orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
