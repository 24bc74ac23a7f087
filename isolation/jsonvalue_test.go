package isolation

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestValueEnd(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in string
		ok bool
	}{
		{`0`, true}, {`-0`, true}, {`12.5e-3`, true}, {`1E+2`, true}, {`"a\u00e9\n"`, true},
		{`true`, true}, {`false`, true}, {`null`, true}, {`[]`, true}, {`{}`, true},
		{`[1,[2,{"a":[{}]}],"x"]`, true}, {`{ "a" : 1 , "b" : [ ] }`, true},
		{strings.Repeat("[", maxArgsDepth) + strings.Repeat("]", maxArgsDepth), true},
		{``, false}, {`-`, false}, {`01`, false}, {`1.`, false}, {`.5`, false}, {`1e`, false}, {`+1`, false},
		{`tru`, false}, {`nul`, false}, {`"`, false}, {`"\x"`, false}, {`"\u12"`, false}, {"\"\x01\"", false},
		{"\"\xff\"", false}, {"\"\xed\xa0\x80\"", false}, {`[`, false}, {`[1,]`, false}, {`[1 2]`, false},
		{`{"a"}`, false}, {`{"a":}`, false}, {`{1:2}`, false}, {`{"a":1,}`, false}, {`[}`, false}, {`{]`, false},
		{strings.Repeat("[", maxArgsDepth+1) + strings.Repeat("]", maxArgsDepth+1), false},
	}
	for _, tt := range tests {
		end := valueEnd([]byte(tt.in), 0)
		if ok := end == len(tt.in); ok != tt.ok {
			t.Errorf("valueEnd(%.40q) = %d, want ok=%v", tt.in, end, tt.ok)
		}
	}
}

// FuzzValueEnd checks the args validator against encoding/json.Valid plus
// UTF-8 validity, the rule it implements without allocating.
func FuzzValueEnd(f *testing.F) {
	for _, s := range []string{`{"a":[1,-2.5e3,true,null,"x\u00e9"]}`, `[[]]`, `"é"`, `01`, `{"a" 1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		end := valueEnd(b, 0)
		if end > len(b) {
			t.Fatalf("end %d past %d", end, len(b))
		}
		if strings.Count(string(b), "[")+strings.Count(string(b), "{") > maxArgsDepth {
			return // depth limits differ on purpose
		}
		got := end == len(b)
		want := len(b) > 0 && b[0] != ' ' && b[0] != '\t' && b[0] != '\n' && b[0] != '\r' &&
			json.Valid(b) && utf8.Valid(b) && !endsWithSpace(b)
		if got != want {
			t.Fatalf("valueEnd(%q) accepts=%v, encoding/json %v", b, got, want)
		}
	})
}

func endsWithSpace(b []byte) bool {
	switch b[len(b)-1] {
	case ' ', '\t', '\n', '\r':
		return true
	}
	return false
}
