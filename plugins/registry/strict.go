package registry

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// maxDepth bounds nesting: the index itself needs five levels.
const maxDepth = 8

// frame is one open object or array during checkJSON.
type frame struct {
	keys    map[string]bool // nil for an array
	wantKey bool
}

// checkJSON does what encoding/json leaves out for a strict parse: it
// rejects invalid UTF-8 (which json replaces silently), duplicate keys
// (json keeps the last), keys that are not made of a-z, 0-9, '.', '-' and
// '_' (json matches field names case-insensitively, with Unicode folding),
// null, deep nesting and anything after the top-level value.
func checkJSON(data []byte) error {
	if !utf8.Valid(data) {
		return errors.New("index.json is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var stack []frame
	done := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			if !done {
				return errors.New("index.json is empty or ends early")
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("invalid JSON: %w", err)
		}
		if done {
			return fmt.Errorf("unexpected data after the index at byte %d", dec.InputOffset())
		}
		if n := len(stack); n > 0 && stack[n-1].keys != nil && stack[n-1].wantKey {
			if tok == json.Delim('}') {
				stack = stack[:n-1]
				done = valueDone(stack)
				continue
			}
			key, _ := tok.(string)
			if err := checkKey(key); err != nil {
				return err
			}
			if stack[n-1].keys[key] {
				return fmt.Errorf("key %q appears twice in one object; give it once", key)
			}
			stack[n-1].keys[key] = true
			stack[n-1].wantKey = false
			continue
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if len(stack) >= maxDepth {
				return fmt.Errorf("nesting deeper than %d levels at byte %d", maxDepth, dec.InputOffset())
			}
			f := frame{}
			if tok == json.Delim('{') {
				f = frame{keys: map[string]bool{}, wantKey: true}
			}
			stack = append(stack, f)
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
			done = valueDone(stack)
		case nil:
			return fmt.Errorf("null at byte %d: leave the field out instead", dec.InputOffset())
		default:
			done = valueDone(stack)
		}
	}
}

// valueDone records that a value ended inside the innermost frame and
// reports whether it was the top-level value.
func valueDone(stack []frame) bool {
	if len(stack) == 0 {
		return true
	}
	if f := &stack[len(stack)-1]; f.keys != nil {
		f.wantKey = true
	}
	return false
}

// checkKey allows the characters of field names and plugin ids.
func checkKey(key string) error {
	if key == "" {
		return errors.New("empty object key")
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '.' && c != '-' && c != '_' {
			return fmt.Errorf("object key %q: keys are field names and plugin ids, in lower case (a-z, 0-9, '.', '-', '_')", abbreviate(key))
		}
	}
	return nil
}

// abbreviate shortens s for an error message.
func abbreviate(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}
