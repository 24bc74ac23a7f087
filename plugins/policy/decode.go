package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// MaxSize is the largest policy file accepted, in bytes.
const MaxSize = 1 << 20

// maxArrayLen bounds every array in a policy file.
const maxArrayLen = 4096

// decode parses data strictly into v (a pointer to one of the file types),
// recording where each value starts by JSON path. Unknown fields, duplicate
// keys, wrong types, null, trailing data and invalid UTF-8 are errors; the
// first one stops decoding.
func decode(data []byte, v any) (map[string]int, error) {
	d := &decoder{data: data, pos: make(map[string]int)}
	if len(data) > MaxSize {
		return nil, &Error{Msg: fmt.Sprintf("file is %d bytes, larger than the %d allowed", len(data), MaxSize)}
	}
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return nil, d.errAt(0, "", "byte order mark not allowed; save the file as UTF-8 without BOM")
	}
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, n := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			off += n
		}
		return nil, d.errAt(off, "", "invalid UTF-8")
	}
	d.dec = json.NewDecoder(bytes.NewReader(data))
	d.dec.UseNumber()
	rv := reflect.ValueOf(v).Elem()
	tok, start, err := d.token("")
	if err != nil {
		return nil, err
	}
	if tok != json.Delim('{') {
		return nil, d.errAt(start, "", "the policy must be a JSON object, got "+describe(tok))
	}
	d.pos[""] = start
	if err := d.object(rv, ""); err != nil {
		return nil, err
	}
	start = d.next()
	if _, err := d.dec.Token(); err != io.EOF {
		return nil, d.errAt(start, "", "unexpected data after the policy object")
	}
	return d.pos, nil
}

type decoder struct {
	data []byte
	dec  *json.Decoder
	pos  map[string]int // JSON path -> offset where its value starts
}

func (d *decoder) errAt(off int, field, msg string) *Error {
	line, col := lineCol(d.data, off)
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

// token reads the next token, turning syntax errors into *Error.
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
// not always where the bad byte is, but Unmarshal's validity check counts
// exactly, so the data is checked again; this costs one scan, on error only.
func (d *decoder) syntaxOffset(fallback int) int {
	var se *json.SyntaxError
	if errors.As(json.Unmarshal(d.data, new(json.RawMessage)), &se) && se.Offset > 0 {
		return int(se.Offset) - 1
	}
	return fallback
}

// value decodes the next JSON value into v: a string, bool, int64, slice,
// struct or pointer to one of those.
func (d *decoder) value(v reflect.Value, field string) error {
	tok, start, err := d.token(field)
	if err != nil {
		return err
	}
	d.pos[field] = start
	t := v.Type()
	if t.Kind() == reflect.Pointer {
		v.Set(reflect.New(t.Elem()))
		v, t = v.Elem(), t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		s, ok := tok.(string)
		if !ok {
			return d.errAt(start, field, "must be a string, got "+describe(tok))
		}
		v.SetString(s)
	case reflect.Bool:
		b, ok := tok.(bool)
		if !ok {
			return d.errAt(start, field, "must be true or false, got "+describe(tok))
		}
		v.SetBool(b)
	case reflect.Int64:
		n, ok := tok.(json.Number)
		if !ok {
			return d.errAt(start, field, "must be a whole number, got "+describe(tok))
		}
		i, err := parseInt(string(n))
		if err != nil {
			return d.errAt(start, field, fmt.Sprintf("must be a whole number (no fraction or exponent) of at most 15 digits, got %s", n))
		}
		v.SetInt(i)
	case reflect.Slice:
		if tok != json.Delim('[') {
			return d.errAt(start, field, "must be an array, got "+describe(tok))
		}
		for i := 0; d.dec.More(); i++ {
			if i >= maxArrayLen {
				return d.errAt(d.next(), field, fmt.Sprintf("must have at most %d entries", maxArrayLen))
			}
			elem := reflect.New(t.Elem()).Elem()
			if err := d.value(elem, fmt.Sprintf("%s[%d]", field, i)); err != nil {
				return err
			}
			v.Set(reflect.Append(v, elem))
		}
		_, _, err := d.token(field)
		return err
	case reflect.Struct:
		if tok != json.Delim('{') {
			return d.errAt(start, field, "must be an object, got "+describe(tok))
		}
		return d.object(v, field)
	default:
		panic("policy: unsupported field type " + t.String())
	}
	return nil
}

// object decodes the members of an object whose '{' was just read.
func (d *decoder) object(v reflect.Value, field string) error {
	fields := jsonFields(v.Type())
	seen := make(map[string]bool)
	for d.dec.More() {
		tok, start, err := d.token(field)
		if err != nil {
			return err
		}
		key, ok := tok.(string)
		if !ok {
			return d.errAt(start, field, "invalid JSON: object key must be a string")
		}
		path := join(field, key)
		if seen[key] {
			return d.errAt(start, path, fmt.Sprintf("duplicate key %q; give each field once", key))
		}
		seen[key] = true
		idx, ok := fields.index[key]
		if !ok {
			return d.errAt(start, path, fmt.Sprintf("unknown field %q; allowed here: %s", key, strings.Join(fields.names, ", ")))
		}
		if err := d.value(v.Field(idx), path); err != nil {
			return err
		}
	}
	_, _, err := d.token(field)
	return err
}

// parseInt accepts only plain JSON integers (no fraction or exponent) small
// enough that no ceiling overflows when converted to other units.
func parseInt(s string) (int64, error) {
	t := strings.TrimPrefix(s, "-")
	if t == "" || len(t) > 15 || (len(t) > 1 && t[0] == '0') || strings.Trim(t, "0123456789") != "" {
		return 0, errors.New("not an integer")
	}
	return strconv.ParseInt(s, 10, 64)
}

func describe(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return "an object"
		}
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return strconv.FormatBool(t)
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", tok)
}

func join(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// fieldSet describes a struct's JSON fields.
type fieldSet struct {
	index map[string]int
	names []string // sorted, for messages
}

var fieldSets sync.Map // reflect.Type -> *fieldSet

func jsonFields(t reflect.Type) *fieldSet {
	if fs, ok := fieldSets.Load(t); ok {
		return fs.(*fieldSet)
	}
	fs := &fieldSet{index: make(map[string]int)}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		fs.index[name] = i
		fs.names = append(fs.names, name)
	}
	sort.Strings(fs.names)
	fieldSets.Store(t, fs)
	return fs
}

// locate fills in the line and column of validation errors from the
// positions recorded while decoding; a missing field points at its parent.
func locate(err error, data []byte, pos map[string]int) {
	eachError(err, func(e *Error) {
		if e.Line > 0 {
			return
		}
		for f := e.Field; ; f = parentPath(f) {
			if off, ok := pos[f]; ok {
				e.Line, e.Column = lineCol(data, off)
				return
			}
			if f == "" {
				return
			}
		}
	})
}

// parentPath returns the path of the value containing field.
func parentPath(field string) string {
	if i := strings.LastIndexAny(field, ".["); i >= 0 {
		return field[:i]
	}
	return ""
}
