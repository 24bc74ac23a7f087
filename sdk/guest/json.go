package guest

import (
	"encoding/json"
	"unicode/utf8"
)

// decodeJSON is json.Unmarshal with a fast path for plain JSON strings.
// Reflection-based decoding is the largest part of a small command's cost
// inside a WebAssembly guest, and string arguments are the common case.
func decodeJSON(data []byte, v any) error {
	if p, ok := v.(*string); ok {
		if s, ok := plainJSONString(data); ok {
			*p = s
			return nil
		}
	}
	return json.Unmarshal(data, v)
}

// encodeJSON is json.Marshal with the same fast path for strings.
func encodeJSON(v any) ([]byte, error) {
	if s, ok := v.(string); ok && plainString(s) {
		b := make([]byte, 0, len(s)+2)
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"'), nil
	}
	return json.Marshal(v)
}

// plainJSONString returns the value of data when it is a JSON string with
// no escapes; anything else is left to encoding/json.
func plainJSONString(data []byte) (string, bool) {
	if len(data) < 2 || data[0] != '"' || data[len(data)-1] != '"' {
		return "", false
	}
	body := data[1 : len(data)-1]
	for _, c := range body {
		if c < 0x20 || c == '"' || c == '\\' {
			return "", false
		}
	}
	if !utf8.Valid(body) {
		return "", false
	}
	return string(body), true
}

// plainString reports whether s encodes as itself between quotes: valid
// UTF-8 without quotes, backslashes, control characters or the characters
// encoding/json escapes for HTML safety.
func plainString(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	// U+2028 and U+2029 are escaped by encoding/json too.
	for _, r := range s {
		if r == utf8.RuneError || r == '\u2028' || r == '\u2029' {
			return false
		}
	}
	return true
}
