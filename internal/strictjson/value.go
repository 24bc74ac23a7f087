package strictjson

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// textUnmarshaler is the type of encoding.TextUnmarshaler.
var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// value decodes the next JSON value into v, recording where it starts.
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
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		return d.text(v, tok, start, field)
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
	case reflect.Int, reflect.Int64:
		return d.integer(v, tok, start, field)
	case reflect.Slice:
		return d.array(v, tok, start, field)
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			panic("strictjson: unsupported map key type " + t.Key().String())
		}
		if tok != json.Delim('{') {
			return d.errAt(start, field, "must be an object, got "+describe(tok))
		}
		return d.mapping(v, field)
	case reflect.Struct:
		if tok != json.Delim('{') {
			return d.errAt(start, field, "must be an object, got "+describe(tok))
		}
		return d.object(v, field)
	default:
		panic("strictjson: unsupported field type " + t.String())
	}
	return nil
}

// text stores the string tok in v, an addressable value whose pointer is
// an encoding.TextUnmarshaler; its error is the message.
func (d *decoder) text(v reflect.Value, tok json.Token, start int, field string) error {
	s, ok := tok.(string)
	if !ok {
		return d.errAt(start, field, "must be a string, got "+describe(tok))
	}
	if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
		return d.errAt(start, field, err.Error())
	}
	return nil
}

// integer stores the number tok in the int or int64 v.
func (d *decoder) integer(v reflect.Value, tok json.Token, start int, field string) error {
	n, ok := tok.(json.Number)
	if !ok {
		return d.errAt(start, field, "must be "+d.integerNoun()+", got "+describe(tok))
	}
	bits, digits := 64, 18 // 18 digits always fit in 64 bits
	if v.Kind() == reflect.Int {
		bits, digits = 32, 9
	}
	if d.opts.MaxDigits > 0 {
		digits = d.opts.MaxDigits
	}
	i, err := parseInt(string(n), bits, d.opts.MaxDigits)
	if err != nil {
		return d.errAt(start, field, fmt.Sprintf("must be a whole number (no fraction or exponent) of at most %d digits, got %s", digits, n))
	}
	v.SetInt(i)
	return nil
}

// array decodes the entries of an array whose first token is tok.
func (d *decoder) array(v reflect.Value, tok json.Token, start int, field string) error {
	if tok != json.Delim('[') {
		what := "an array"
		if v.Type().Elem().Kind() == reflect.String {
			what = "an array of strings"
		}
		return d.errAt(start, field, "must be "+what+", got "+describe(tok))
	}
	for i := 0; d.dec.More(); i++ {
		if d.opts.MaxArrayLen > 0 && i >= d.opts.MaxArrayLen {
			return d.errAt(d.next(), field, fmt.Sprintf("must have at most %d entries", d.opts.MaxArrayLen))
		}
		elem := reflect.New(v.Type().Elem()).Elem()
		if err := d.value(elem, fmt.Sprintf("%s[%d]", field, i)); err != nil {
			return err
		}
		v.Set(reflect.Append(v, elem))
	}
	_, _, err := d.token(field)
	return err
}

// object decodes the members of an object whose '{' was just read into
// the struct v.
func (d *decoder) object(v reflect.Value, field string) error {
	fields := Fields(v.Type())
	return d.members(field, Join, "field", func(key, path string, start int) error {
		idx, ok := fields.Index[key]
		if !ok {
			return d.errAt(start, path, fmt.Sprintf("unknown field %q; allowed here: %s", key, strings.Join(fields.Names, ", ")))
		}
		f := v.Field(idx)
		if err := d.value(f, path); err != nil {
			return err
		}
		if d.opts.RefuseZero && fields.omitEmpty[key] && (f.Kind() == reflect.Int || f.Kind() == reflect.Int64) && f.Int() == 0 {
			return d.errAt(d.pos[path], path, "must not be 0; leave the field out to use the default")
		}
		return nil
	})
}

// mapping decodes the members of an object whose '{' was just read into
// the map v, whose keys are strings; a member's path is field["key"].
func (d *decoder) mapping(v reflect.Value, field string) error {
	t := v.Type()
	if v.IsNil() {
		v.Set(reflect.MakeMap(t))
	}
	return d.members(field, JoinKey, "key", func(key, path string, _ int) error {
		elem := reflect.New(t.Elem()).Elem()
		if err := d.value(elem, path); err != nil {
			return err
		}
		v.SetMapIndex(reflect.ValueOf(key).Convert(t.Key()), elem)
		return nil
	})
}

// members reads the members of an object whose '{' was just read, through
// its '}'. For each it refuses a key given before (a noun, in the message)
// and calls member with the key, its path (join of field and key) and
// where the key starts; member decodes the value.
func (d *decoder) members(field string, join func(parent, key string) string, noun string, member func(key, path string, start int) error) error {
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
			return d.errAt(start, path, fmt.Sprintf("duplicate key %q; give each %s once", key, noun))
		}
		seen[key] = true
		if err := member(key, path, start); err != nil {
			return err
		}
	}
	_, _, err := d.token(field)
	return err
}

// parseInt accepts only plain JSON integers (no fraction or exponent) of at
// most maxDigits digits (0: any) that fit in bits.
func parseInt(s string, bits, maxDigits int) (int64, error) {
	t := strings.TrimPrefix(s, "-")
	if t == "" || (maxDigits > 0 && len(t) > maxDigits) || (len(t) > 1 && t[0] == '0') || strings.Trim(t, "0123456789") != "" {
		return 0, errors.New("not an integer")
	}
	return strconv.ParseInt(s, 10, bits)
}

// describe names the kind of a token for messages.
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
