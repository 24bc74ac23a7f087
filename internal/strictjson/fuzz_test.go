package strictjson

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// FuzzDecode checks that Decode never panics on any input, that every error
// is an *Error placed inside the input, and that whatever it accepts
// encoding/json reads the same way.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"s": "x", "b": true, "i": 1, "i64": 2, "list": ["a"], "items": [{"name": "a"}], "obj": {}, "ptr": {}, "pb": false, "pi": 3}`))
	f.Add([]byte(`{"s": "a", "s": "b"}`))
	f.Add([]byte(`{"i": 1e3}`))
	f.Add([]byte(`{"list": ["a",,]}`))
	f.Add([]byte(`{} []`))
	f.Add([]byte("\xef\xbb\xbf{}"))
	f.Add([]byte("{\"s\": \"\xff\"}"))
	f.Add([]byte(`{"obj": {"n": 0}}`))
	f.Add([]byte(`{"m": {"a": {"name": "x"}, "b": {}}, "t": "2025-01-31T12:00:00+01:00", "code": "AB", "pcode": "XY"}`))
	f.Add([]byte(`{"m": {"a": {}, "a": {}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var d doc
		_, err := Decode(data, &d, Options{MaxSize: 1 << 16, MaxArrayLen: 8, RefuseZero: true})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is not an *Error", err, err)
			}
			if len(data) <= 1<<16 && (e.Line < 1 || e.Column < 1 || e.Line > len(data)+1 || e.Column > len(data)+1) {
				t.Fatalf("position %d:%d outside the %d-byte input: %v", e.Line, e.Column, len(data), e)
			}
			return
		}
		var std doc
		if err := json.Unmarshal(data, &std); err != nil {
			t.Fatalf("accepted input that encoding/json refuses: %v", err)
		}
		if !reflect.DeepEqual(d, std) {
			t.Fatalf("decoded differently from encoding/json:\n%+v\n%+v", d, std)
		}
	})
}
