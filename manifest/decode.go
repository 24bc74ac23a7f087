package manifest

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

// Parse decodes and validates a manifest strictly. Unknown fields, wrong
// types, null values, trailing data, duplicate keys, invalid UTF-8 and bad
// values are errors; each is a *FieldError naming the field path and, where
// the position is known, the line and column, and saying what is allowed.
// JSON-level problems stop at the first; value problems are all reported,
// joined with errors.Join.
func Parse(data []byte) (*Manifest, error) {
	m, pos, err := decode(data)
	if err != nil {
		return nil, err
	}
	if err := m.validate(); err != nil {
		return nil, locate(err, data, pos)
	}
	return m, nil
}

// decode parses data into a Manifest, recording where each value starts.
func decode(data []byte) (*Manifest, map[string]int, error) {
	if len(data) > MaxSize {
		return nil, nil, &FieldError{Msg: fmt.Sprintf("file is %d bytes, larger than the %d allowed", len(data), MaxSize)}
	}
	d := &decoder{data: data, pos: make(map[string]int)}
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return nil, nil, d.errAt(0, "", "byte order mark not allowed; save the file as UTF-8 without BOM")
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
		return nil, nil, d.errAt(off, "", "invalid UTF-8")
	}
	d.dec = json.NewDecoder(bytes.NewReader(data))
	d.dec.UseNumber()
	var m Manifest
	if err := d.value(reflect.ValueOf(&m).Elem(), ""); err != nil {
		return nil, nil, err
	}
	start := d.next()
	if _, err := d.dec.Token(); err != io.EOF {
		return nil, nil, d.errAt(start, "", "unexpected data after the manifest object")
	}
	return &m, d.pos, nil
}

type decoder struct {
	data []byte
	dec  *json.Decoder
	pos  map[string]int // field path -> offset where its value starts
}

func (d *decoder) errAt(off int, field, msg string) *FieldError {
	line, col := lineCol(d.data, off)
	return &FieldError{Field: field, Line: line, Column: col, Msg: msg}
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

// token reads the next token, turning syntax errors into FieldErrors.
func (d *decoder) token(field string) (json.Token, int, error) {
	start := d.next()
	tok, err := d.dec.Token()
	if err == nil {
		return tok, start, nil
	}
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		off := int(se.Offset) - 1
		if off < start {
			off = start
		}
		return nil, start, d.errAt(off, field, "invalid JSON: "+strings.TrimPrefix(se.Error(), "json: "))
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		return nil, start, d.errAt(len(d.data), field, "invalid JSON: unexpected end of input")
	}
	return nil, start, d.errAt(start, field, "invalid JSON: "+err.Error())
}

// value decodes the next JSON value into v, whose type is one of those the
// Manifest uses: string, int, []string, struct or pointer to struct.
func (d *decoder) value(v reflect.Value, field string) error {
	tok, start, err := d.token(field)
	if err != nil {
		return err
	}
	d.pos[field] = start
	t := v.Type()
	switch t.Kind() {
	case reflect.String:
		s, ok := tok.(string)
		if !ok {
			return d.errAt(start, field, "must be a string, got "+describe(tok))
		}
		v.SetString(s)
		return nil
	case reflect.Int:
		n, ok := tok.(json.Number)
		if !ok {
			return d.errAt(start, field, "must be an integer, got "+describe(tok))
		}
		i, err := parseInt(string(n))
		if err != nil {
			return d.errAt(start, field, fmt.Sprintf("must be a whole number (no fraction or exponent) of at most 9 digits, got %s", n))
		}
		v.SetInt(i)
		return nil
	case reflect.Slice:
		if tok != json.Delim('[') {
			return d.errAt(start, field, "must be an array of strings, got "+describe(tok))
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
	case reflect.Pointer:
		if tok != json.Delim('{') {
			return d.errAt(start, field, "must be an object, got "+describe(tok))
		}
		p := reflect.New(t.Elem())
		if err := d.object(p.Elem(), field); err != nil {
			return err
		}
		v.Set(p)
		return nil
	case reflect.Struct:
		if tok != json.Delim('{') {
			return d.errAt(start, field, "must be an object, got "+describe(tok))
		}
		return d.object(v, field)
	}
	panic("manifest: unsupported field type " + t.String())
}

// maxArrayLen bounds every array in a manifest.
const maxArrayLen = 256

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
			return d.errAt(start, path, fmt.Sprintf("duplicate key %q", key))
		}
		seen[key] = true
		idx, ok := fields.index[key]
		if !ok {
			return d.errAt(start, path, fmt.Sprintf("unknown field %q; allowed here: %s", key, strings.Join(fields.names, ", ")))
		}
		if err := d.value(v.Field(idx), path); err != nil {
			return err
		}
		if f := v.Field(idx); f.Kind() == reflect.Int && f.Int() == 0 && fields.omitEmpty[key] {
			// Zero means "unset" for optional numbers, so an explicit 0 is
			// refused rather than silently dropped.
			return d.errAt(d.pos[path], path, "must not be 0; leave the field out to use the default")
		}
	}
	_, _, err := d.token(field)
	return err
}

// parseInt accepts only plain JSON integers (no fraction or exponent).
func parseInt(s string) (int64, error) {
	t := strings.TrimPrefix(s, "-")
	if t == "" || (len(t) > 1 && t[0] == '0') || strings.Trim(t, "0123456789") != "" {
		return 0, errors.New("not an integer")
	}
	return strconv.ParseInt(s, 10, 32)
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
	index     map[string]int
	names     []string // sorted, for messages
	omitEmpty map[string]bool
}

var fieldSets sync.Map // reflect.Type -> *fieldSet

func jsonFields(t reflect.Type) *fieldSet {
	if fs, ok := fieldSets.Load(t); ok {
		return fs.(*fieldSet)
	}
	fs := &fieldSet{index: make(map[string]int), omitEmpty: make(map[string]bool)}
	for i := 0; i < t.NumField(); i++ {
		name, opts, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		fs.index[name] = i
		fs.names = append(fs.names, name)
		fs.omitEmpty[name] = opts == "omitempty"
	}
	sort.Strings(fs.names)
	fieldSets.Store(t, fs)
	return fs
}

// locate fills in the line and column of validation errors from the
// positions recorded while decoding; a missing field points at its parent.
func locate(err error, data []byte, pos map[string]int) error {
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	for _, e := range errs {
		fe, ok := e.(*FieldError)
		if !ok || fe.Line > 0 {
			continue
		}
		for f := fe.Field; ; f = parentPath(f) {
			if off, ok := pos[f]; ok {
				fe.Line, fe.Column = lineCol(data, off)
				break
			}
			if f == "" {
				break
			}
		}
	}
	return err
}

// parentPath returns the path of the value containing field.
func parentPath(field string) string {
	if i := strings.LastIndexAny(field, ".["); i >= 0 {
		return field[:i]
	}
	return ""
}
