package host

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// decodeArgs decodes the arguments of a request for cmd into v strictly:
// unknown fields and trailing data are errors, so a typo is not silently
// ignored. A refusal has code bad_args and says, in the plugin's terms,
// what the arguments must be (described from v's type) and what came
// instead, for example
// `storage.get: args must be {"key": string}; got a string`.
// It never names a Go type. Describing costs reflection, paid only when
// the arguments are refused.
func decodeArgs(cmd string, args []byte, v any) error {
	if len(bytes.TrimSpace(args)) == 0 {
		return argsError(cmd, v, "got none")
	}
	dec := json.NewDecoder(bytes.NewReader(args))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return argsError(cmd, v, gotInstead(args, err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return argsError(cmd, v, "got more than one JSON value")
	}
	return nil
}

// argsError is the bad_args refusal of cmd's arguments, decoded into v.
func argsError(cmd string, v any, got string) error {
	return Deny(CodeBadArgs, fmt.Sprintf("%s: args must be %s; %s", cmd, shapeOf(reflect.TypeOf(v).Elem()), got))
}

// gotInstead says what a plugin sent that err, from decoding args, refused.
func gotInstead(args []byte, err error) string {
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		if te.Field == "" {
			return "got " + jsonKind(args)
		}
		return fmt.Sprintf("got %s for %q", withArticle(jsonTypeName(te.Value)), te.Field)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return "got an unknown field " + name
	}
	if _, ok := errors.AsType[base64.CorruptInputError](err); ok {
		return "got a string that is not base64 where bytes are expected"
	}
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return "got invalid JSON: " + se.Error()
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "got JSON that ends too soon"
	}
	return "got arguments that do not decode: " + strings.TrimPrefix(err.Error(), "json: ")
}

// jsonKind names the kind of the JSON value args holds, with its article.
func jsonKind(args []byte) string {
	b := bytes.TrimSpace(args)
	switch {
	case len(b) == 0:
		return "nothing"
	case b[0] == '"':
		return "a string"
	case b[0] == '{':
		return "an object"
	case b[0] == '[':
		return "an array"
	case b[0] == 't' || b[0] == 'f':
		return "a boolean"
	case b[0] == 'n':
		return "null"
	}
	return "a number"
}

// jsonTypeName turns encoding/json's name of a JSON value's kind into the
// one JavaScript uses.
func jsonTypeName(v string) string {
	if v == "bool" {
		return "boolean"
	}
	if strings.HasPrefix(v, "number") { // "number 1.5" for a float into an int
		return "number"
	}
	return v
}

// withArticle prefixes a kind of value with "a" or "an".
func withArticle(kind string) string {
	if kind != "" && strings.ContainsRune("aeiou", rune(kind[0])) {
		return "an " + kind
	}
	return "a " + kind
}

// shapeOf describes the JSON that decodes into t, in TypeScript's
// notation as warden.d.ts writes it: {"key": string, "prefix"?: string};
// a field marked omitempty is optional ("?"), and bytes are a base64
// string.
func shapeOf(t reflect.Type) string {
	switch {
	case t == reflect.TypeFor[json.RawMessage]():
		return "any JSON value"
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		return "base64 string"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return shapeOf(t.Elem())
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return shapeOf(t.Elem()) + "[]"
	case reflect.Map:
		return "{[name: string]: " + shapeOf(t.Elem()) + "}"
	case reflect.Struct:
		var fields []string
		for f := range t.Fields() {
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			opt := ""
			if strings.Contains(","+opts+",", ",omitempty,") || strings.Contains(","+opts+",", ",omitzero,") {
				opt = "?"
			}
			fields = append(fields, fmt.Sprintf("%q%s: %s", name, opt, shapeOf(f.Type)))
		}
		return "{" + strings.Join(fields, ", ") + "}"
	}
	return "any JSON value"
}
