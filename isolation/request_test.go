package isolation

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParseRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want *Request // nil: ErrMalformed
	}{
		{`{"seq":1,"id":2,"cmd":"a","args":{"k":[1,"}",{"x":null}]}}`, &Request{Seq: 1, ID: 2, Cmd: "a", Args: json.RawMessage(`{"k":[1,"}",{"x":null}]}`)}},
		{` { "cmd" : "a" , "seq" : 3 } `, &Request{Seq: 3, Cmd: "a"}},
		{`{"seq":1,"cmd":"a","args":null}`, &Request{Seq: 1, Cmd: "a"}},
		{`{"seq":1,"cmd":"a","args":"s\"]}"}`, &Request{Seq: 1, Cmd: "a", Args: json.RawMessage(`"s\"]}"`)}},
		{`{"seq":1,"cmd":"a","args":[]}`, &Request{Seq: 1, Cmd: "a", Args: json.RawMessage(`[]`)}},
		{`{"seq":1,"cmd":"a","args":-1.5e3}`, &Request{Seq: 1, Cmd: "a", Args: json.RawMessage(`-1.5e3`)}},
		{`{"seq":1,"cmd":"a","args":true}`, &Request{Seq: 1, Cmd: "a", Args: json.RawMessage(`true`)}},
		{`{"seq":18446744073709551615,"id":0,"cmd":"a"}`, &Request{Seq: 1<<64 - 1, Cmd: "a"}},
		{`{"seq":1,"cmd":"\u0061\n\"é"}`, &Request{Seq: 1, Cmd: "a\n\"é"}},
		{`{"\u0073eq":1,"cmd":"a"}`, &Request{Seq: 1, Cmd: "a"}},
		{`{"seq":1,"cmd":"日本"}`, &Request{Seq: 1, Cmd: "日本"}},

		{``, nil},
		{`[]`, nil},
		{`{}`, nil},
		{`{"seq":1}`, nil},
		{`{"cmd":"a"}`, nil},
		{`{"seq":0,"cmd":"a"}`, nil},
		{`{"seq":01,"cmd":"a"}`, nil},
		{`{"seq":1.0,"cmd":"a"}`, nil},
		{`{"seq":1e2,"cmd":"a"}`, nil},
		{`{"seq":-1,"cmd":"a"}`, nil},
		{`{"seq":"1","cmd":"a"}`, nil},
		{`{"seq":18446744073709551616,"cmd":"a"}`, nil},
		{`{"seq":1,"cmd":""}`, nil},
		{`{"seq":1,"cmd":1}`, nil},
		{`{"seq":1,"cmd":"a\x"}`, nil},
		{`{"seq":1,"cmd":"a` + "\x01" + `"}`, nil},
		{`{"seq":1,"cmd":"` + "\xff" + `"}`, nil},
		{`{"seq":1,"cmd":"a","SEQ":2}`, nil},
		{`{"seq":1,"cmd":"a","seq":2}`, nil},
		{`{"seq":1,"cmd":"a","extra":2}`, nil},
		{`{"seq":1,"cmd":"a",}`, nil},
		{`{"seq":1,"cmd":"a"`, nil},
		{`{"seq":1,"cmd":"a"}x`, nil},
		{`{"seq":1,"cmd":"a","args":}`, nil},
		{`{"seq":1,"cmd":"a","args":[}`, nil},
		{`{"seq":1,"cmd":"a","args":{]}`, nil},
		{`{"seq":1,"cmd":"a","args":nul}`, nil},
		{`{"seq":1,"cmd":"a","args":1x}`, nil},
		{`{"seq":1,"cmd":"a","args":"` + "\xff" + `"}`, nil},
		{`{"seq":1,"cmd":"a","args":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`, nil},
		{`{"seq":1 "cmd":"a"}`, nil},
		{`{"seq" 1,"cmd":"a"}`, nil},
	}
	for _, tt := range tests {
		got, err := parseRequest([]byte(tt.in))
		if tt.want == nil {
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("parseRequest(%.60q) = %+v, %v; want ErrMalformed", tt.in, got, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseRequest(%.60q): %v", tt.in, err)
			continue
		}
		if got.Seq != tt.want.Seq || got.ID != tt.want.ID || got.Cmd != tt.want.Cmd || !bytes.Equal(got.Args, tt.want.Args) {
			t.Errorf("parseRequest(%.60q) = %+v (args %s), want %+v", tt.in, got, got.Args, *tt.want)
		}
	}
}

func TestParseRequestAllocs(t *testing.T) {
	in := []byte(`{"seq":12,"id":34,"cmd":"storage.get","args":{"key":"settings","default":{"theme":"dark"}}}`)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := parseRequest(in); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1 {
		t.Fatalf("parseRequest allocates %v times, want at most 1 (cmd)", allocs)
	}
}

// FuzzParseRequest checks the hand-written parser against encoding/json:
// whatever it accepts, encoding/json (with unknown fields disallowed) must
// accept with the same values. It may be stricter (duplicates, case,
// invalid UTF-8, number forms), never looser.
func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{
		`{"seq":1,"id":2,"cmd":"a","args":{"k":[1,"}",{"x":null}]}}`,
		`{"seq":1,"cmd":"\u0061","args":"x"}`,
		`{"seq":1,"cmd":"a","args":null}`,
		`{"\u0073eq":1,"cmd":"a"}`,
		` {"cmd":"a","seq":3} `,
		`{"seq":1,"cmd":"a","seq":2}`,
		`{"seq":1.0,"cmd":"a"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := parseRequest(in)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		var want Request
		dec := json.NewDecoder(bytes.NewReader(in))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&want); err != nil {
			t.Fatalf("accepted %q, encoding/json says %v", in, err)
		}
		if dec.More() {
			t.Fatalf("accepted %q with trailing data", in)
		}
		if string(want.Args) == "null" {
			want.Args = nil
		}
		if got.Seq != want.Seq || got.ID != want.ID || got.Cmd != want.Cmd || !bytes.Equal(got.Args, want.Args) {
			t.Fatalf("%q: got %+v, encoding/json %+v", in, got, want)
		}
		if got.Seq == 0 || got.Cmd == "" {
			t.Fatalf("%q: accepted seq %d cmd %q", in, got.Seq, got.Cmd)
		}
	})
}
