package strictjson

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

type inner struct {
	Name string `json:"name"`
	N    int    `json:"n,omitempty"`
}

type doc struct {
	S     string           `json:"s"`
	B     bool             `json:"b"`
	I     int              `json:"i"`
	I64   int64            `json:"i64"`
	Z     int64            `json:"z,omitempty"`
	List  []string         `json:"list"`
	Items []inner          `json:"items"`
	Obj   inner            `json:"obj"`
	Ptr   *inner           `json:"ptr"`
	PB    *bool            `json:"pb"`
	PI    *int64           `json:"pi"`
	M     map[string]inner `json:"m"`
	T     time.Time        `json:"t"`
	Code  code             `json:"code"`
	PCode *code            `json:"pcode"`
	Skip  string           `json:"-"`
	Plain string
}

// code is a text field: two upper-case letters.
type code [2]byte

func (c *code) UnmarshalText(b []byte) error {
	if len(b) != 2 || b[0] < 'A' || b[0] > 'Z' || b[1] < 'A' || b[1] > 'Z' {
		return fmt.Errorf("code %q is not two upper-case letters", b)
	}
	copy(c[:], b)
	return nil
}

var testOptions = Options{Name: "test", MaxSize: 4096, MaxArrayLen: 3}

func TestDecodeValid(t *testing.T) {
	t.Parallel()
	src := `{"s": "x", "b": true, "i": -2147483648, "i64": 9007199254740993, "z": 0,
	  "list": ["a", "é"], "items": [{"name": "a", "n": 2}], "obj": {"name": "o"},
	  "ptr": {"name": "p"}, "pb": false, "pi": 7,
	  "m": {"a.b": {"name": "ab"}, "": {}}, "t": "2025-01-31T12:00:00Z", "code": "AB", "pcode": "CD"}`
	var d doc
	pos, err := Decode([]byte(src), &d, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	f, tr := false, int64(7)
	cd := code{'C', 'D'}
	want := doc{S: "x", B: true, I: -2147483648, I64: 9007199254740993, List: []string{"a", "é"},
		Items: []inner{{Name: "a", N: 2}}, Obj: inner{Name: "o"}, Ptr: &inner{Name: "p"}, PB: &f, PI: &tr,
		M: map[string]inner{"a.b": {Name: "ab"}, "": {}}, T: time.Date(2025, 1, 31, 12, 0, 0, 0, time.UTC),
		Code: code{'A', 'B'}, PCode: &cd}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("got %+v\nwant %+v", d, want)
	}
	for path, off := range map[string]int{
		"": 0, "s": 6, "items[0].n": strings.Index(src, "2}"), "list[1]": strings.Index(src, `"é"`),
		`m["a.b"]`: strings.Index(src, `{"name": "ab"}`), `m["a.b"].name`: strings.Index(src, `"ab"`), `m[""]`: strings.Index(src, `{}}`),
		"t": strings.Index(src, `"2025`),
	} {
		if got, ok := pos[path]; !ok || got != off {
			t.Errorf("position of %q = %d, %v; want %d", path, got, ok, off)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      Options
		src       string
		field     string
		line, col int
		msg       string // the whole message when exact, else a substring
		exact     bool
	}{
		{"too large", Options{MaxSize: 4}, `{"s": "x"}`, "", 0, 0, "file is 10 bytes, larger than the 4 allowed", true},
		{"bom", testOptions, "\xef\xbb\xbf{}", "", 1, 1, "byte order mark not allowed; save the file as UTF-8 without BOM", true},
		{"invalid utf-8", testOptions, "{\"s\": \"a\xff\"}", "", 1, 9, "invalid UTF-8", true},
		{"empty", testOptions, ``, "", 1, 1, "invalid JSON: unexpected end of input", true},
		{"truncated", testOptions, `{"s": "x"`, "", 1, 10, "invalid JSON: unexpected end of input", true},
		{"syntax error", testOptions, "{\n  \"s\" \"x\"\n}", "s", 2, 7, "invalid JSON", false},
		{"double comma", testOptions, `{"s": "x",,}`, "", 1, 11, "invalid JSON", false},
		{"trailing comma", testOptions, `{"s": "x",}`, "", 1, 11, "invalid JSON", false},
		{"bad escape", testOptions, `{"s": "a\q"}`, "s", 1, 10, "invalid JSON", false},
		{"root array", testOptions, ` []`, "", 1, 2, "must be an object, got an array", true},
		{"root message", Options{RootMessage: "the policy must be a JSON object"}, `"x"`, "", 1, 1, "the policy must be a JSON object, got a string", true},
		{"trailing data", testOptions, "{}\n{}", "", 2, 1, "unexpected data after the test object", true},
		{"trailing data default name", Options{}, "{} x", "", 1, 4, "unexpected data after the document object", true},
		{"unknown field", testOptions, `{"obj": {"nam": "x"}}`, "obj.nam", 1, 10, `unknown field "nam"; allowed here: n, name`, true},
		{"ignored field is unknown", testOptions, `{"Plain": "x"}`, "Plain", 1, 2, "unknown field", false},
		{"duplicate key", testOptions, "{\"s\": \"a\",\n \"s\": \"b\"}", "s", 2, 2, `duplicate key "s"; give each field once`, true},
		{"duplicate escaped key", testOptions, `{"s": "a", "\u0073": "b"}`, "s", 1, 12, "duplicate key", false},
		{"null string", testOptions, `{"s": null}`, "s", 1, 7, "must be a string, got null", true},
		{"null pointer", testOptions, `{"ptr": null}`, "ptr", 1, 9, "must be an object, got null", true},
		{"null bool pointer", testOptions, `{"pb": null}`, "pb", 1, 8, "must be true or false, got null", true},
		{"number for bool", testOptions, `{"b": 1}`, "b", 1, 7, "must be true or false, got a number", true},
		{"string for int", testOptions, `{"i": "1"}`, "i", 1, 7, "must be a whole number, got a string", true},
		{"integer noun", Options{IntegerNoun: "an integer"}, `{"i": true}`, "i", 1, 7, "must be an integer, got true", true},
		{"fraction", testOptions, `{"i64": 1.5}`, "i64", 1, 9, "must be a whole number (no fraction or exponent) of at most 18 digits, got 1.5", true},
		{"exponent", testOptions, `{"i": 1e3}`, "i", 1, 7, "of at most 9 digits, got 1e3", false},
		{"int beyond 32 bits", testOptions, `{"i": 2147483648}`, "i", 1, 7, "at most 9 digits", false},
		{"int64 overflow", testOptions, `{"i64": 9223372036854775808}`, "i64", 1, 9, "at most 18 digits", false},
		{"digit limit", Options{MaxDigits: 3}, `{"i64": 1000}`, "i64", 1, 9, "at most 3 digits, got 1000", false},
		{"leading zero", testOptions, `{"i": -01}`, "", 1, 9, "invalid JSON", false},
		{"string for array", testOptions, `{"list": "a"}`, "list", 1, 10, "must be an array of strings, got a string", true},
		{"string for object array", testOptions, `{"items": "a"}`, "items", 1, 11, "must be an array, got a string", true},
		{"number in array", testOptions, "{\"list\": [\"a\",\n 1]}", "list[1]", 2, 2, "must be a string, got a number", true},
		{"too many entries", testOptions, `{"list": ["a","b","c","d"]}`, "list", 1, 23, "must have at most 3 entries", true},
		{"array for object", testOptions, `{"obj": []}`, "obj", 1, 9, "must be an object, got an array", true},
		{"nested error path", testOptions, `{"items": [{"name": "a"}, {"name": 1}]}`, "items[1].name", 1, 36, "must be a string", false},
		{"explicit zero refused", Options{RefuseZero: true}, `{"obj": {"n": 0}}`, "obj.n", 1, 15, "must not be 0; leave the field out to use the default", true},
		{"explicit zero int64 refused", Options{RefuseZero: true}, `{"z": 0}`, "z", 1, 7, "must not be 0", false},
		{"array for map", testOptions, `{"m": []}`, "m", 1, 7, "must be an object, got an array", true},
		{"null map", testOptions, `{"m": null}`, "m", 1, 7, "must be an object, got null", true},
		{"duplicate map key", testOptions, `{"m": {"a.b": {}, "a.b": {}}}`, `m["a.b"]`, 1, 19, `duplicate key "a.b"; give each key once`, true},
		{"error in map entry", testOptions, `{"m": {"a.b": {"name": 1}}}`, `m["a.b"].name`, 1, 24, "must be a string, got a number", true},
		{"unknown field in map entry", testOptions, `{"m": {"x": {"id": 1}}}`, `m["x"].id`, 1, 14, `unknown field "id"`, false},
		{"bad text", testOptions, `{"code": "ab"}`, "code", 1, 10, `code "ab" is not two upper-case letters`, true},
		{"number for text", testOptions, `{"pcode": 12}`, "pcode", 1, 11, "must be a string, got a number", true},
		{"bad time", testOptions, `{"t": "yesterday"}`, "t", 1, 7, `cannot parse "yesterday"`, false},
		{"object for time", testOptions, `{"t": {}}`, "t", 1, 7, "must be a string, got an object", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode([]byte(tt.src), new(doc), tt.opts)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is not an *Error", err, err)
			}
			if e.Field != tt.field || e.Line != tt.line || e.Column != tt.col {
				t.Errorf("got %q at %d:%d, want %q at %d:%d (%v)", e.Field, e.Line, e.Column, tt.field, tt.line, tt.col, e)
			}
			if tt.exact && e.Msg != tt.msg || !strings.Contains(e.Msg, tt.msg) {
				t.Errorf("message %q, want %q", e.Msg, tt.msg)
			}
		})
	}
}

func TestZeroAllowedWithoutRefuseZero(t *testing.T) {
	t.Parallel()
	var d doc
	if _, err := Decode([]byte(`{"z": 0, "obj": {"n": 0}}`), &d, Options{}); err != nil {
		t.Fatal(err)
	}
}

func TestDecodePanicsOnBadTarget(t *testing.T) {
	t.Parallel()
	for _, v := range []any{nil, doc{}, new(string), (*doc)(nil)} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Decode into %T did not panic", v)
				}
			}()
			Decode([]byte(`{}`), v, Options{})
		}()
	}
}

func TestDecodePanicsOnUnsupportedField(t *testing.T) {
	t.Parallel()
	for name, v := range map[string]any{
		"a float field": new(struct {
			F float64 `json:"f"`
		}),
		"a map with int keys": new(struct {
			F map[int]string `json:"f"`
		}),
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", name)
				}
			}()
			Decode([]byte(`{"f": {}}`), v, Options{})
		}()
	}
}

func TestJoinKey(t *testing.T) {
	t.Parallel()
	if got := JoinKey(JoinKey("plugins", "a.b"), `x"]`) + ".name"; got != `plugins["a.b"]["x\"]"].name` {
		t.Errorf("JoinKey = %s", got)
	}
}

func TestErrorString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		e    Error
		want string
	}{
		{Error{Field: "a.b", Line: 3, Column: 5, Msg: "bad"}, "3:5: a.b: bad"},
		{Error{Msg: "bad"}, "bad"},
		{Error{Line: 1, Column: 1, Msg: "bad"}, "1:1: bad"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

func TestLineCol(t *testing.T) {
	t.Parallel()
	data := []byte("ab\né\nxy")
	tests := []struct{ off, line, col int }{
		{-1, 1, 1}, {0, 1, 1}, {2, 1, 3}, {3, 2, 1}, {5, 2, 2}, {6, 3, 1}, {99, 3, 3},
	}
	for _, tt := range tests {
		if l, c := LineCol(data, tt.off); l != tt.line || c != tt.col {
			t.Errorf("LineCol(%d) = %d:%d, want %d:%d", tt.off, l, c, tt.line, tt.col)
		}
	}
}

func TestPositionsFind(t *testing.T) {
	t.Parallel()
	p := Positions{"": 0, "a": 5, "a.b": 9, "l[1]": 20, `m["x.y[\"]"]`: 30, "m": 25}
	tests := []struct {
		field string
		off   int
		ok    bool
	}{
		{"a.b", 9, true}, {"a.c", 5, true}, {"a.b.c", 9, true}, {"x", 0, true}, {"l[1].id", 20, true}, {"l[2]", 0, true},
		{`m["x.y[\"]"].v`, 30, true}, {`m["x.y[\"]"]`, 30, true}, {`m["x.z"].v[1]`, 25, true}, {`m["a\"]"]`, 25, true},
	}
	for _, tt := range tests {
		if off, ok := p.Find(tt.field); off != tt.off || ok != tt.ok {
			t.Errorf("Find(%q) = %d, %v; want %d, %v", tt.field, off, ok, tt.off, tt.ok)
		}
	}
	if _, ok := (Positions{"a": 1}).Find("b"); ok {
		t.Error("Find found a path with nothing recorded")
	}
}

func TestFields(t *testing.T) {
	t.Parallel()
	fs := Fields(reflect.TypeFor[inner]())
	if !reflect.DeepEqual(fs.Names, []string{"n", "name"}) || fs.Index["name"] != 0 || fs.Index["n"] != 1 {
		t.Errorf("Fields = %+v", fs)
	}
	if Fields(reflect.TypeFor[inner]()) != fs {
		t.Error("Fields is not cached")
	}
}
