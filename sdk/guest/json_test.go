package guest

import (
	"encoding/json"
	"testing"
)

// The fast paths must agree with encoding/json on every input.
func TestJSONFastPathsAgree(t *testing.T) {
	for _, s := range []string{"", "Ada", "héllo", "a\"b", "a\\b", "tab\t", "<b>", "a&b", "\u2028", "\xff", "日本語"} {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		got, err := encodeJSON(s)
		if err != nil || string(got) != string(want) {
			t.Errorf("encodeJSON(%q) = %s, want %s", s, got, want)
		}
		var back, ref string
		err = decodeJSON(want, &back)
		json.Unmarshal(want, &ref)
		if err != nil || back != ref {
			t.Errorf("decodeJSON(%s) = %q, %v; encoding/json: %q", want, back, err, ref)
		}
	}
	for _, in := range []string{`"x"`, `"a\u0041"`, `"\ud83d\ude00"`, `1`, `null`, `"unterminated`, `""`} {
		var got, want string
		gerr := decodeJSON([]byte(in), &got)
		werr := json.Unmarshal([]byte(in), &want)
		if (gerr == nil) != (werr == nil) || got != want {
			t.Errorf("decodeJSON(%s) = %q, %v; encoding/json: %q, %v", in, got, gerr, want, werr)
		}
	}
}

func FuzzJSONFastPaths(f *testing.F) {
	for _, s := range []string{`"Ada"`, `"a\"b"`, `"\u00e9"`, `""`, `"\xff"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got, want string
		gerr := decodeJSON(data, &got)
		werr := json.Unmarshal(data, &want)
		if (gerr == nil) != (werr == nil) || got != want {
			t.Fatalf("decodeJSON(%q) = %q, %v; encoding/json: %q, %v", data, got, gerr, want, werr)
		}
		enc, err := encodeJSON(want)
		ref, _ := json.Marshal(want)
		if err != nil || string(enc) != string(ref) {
			t.Fatalf("encodeJSON(%q) = %s, want %s", want, enc, ref)
		}
	})
}
