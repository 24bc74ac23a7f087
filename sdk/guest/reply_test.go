package guest

import (
	"errors"
	"testing"
)

func TestDecodeReply(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		want     string // result decoded into a string
		code     string // HostError code expected
		malforms bool
	}{
		{name: "ok", in: `{"ok":true,"result":"v"}`, want: "v"},
		{name: "ok null", in: `{"ok":true,"result":null}`},
		{name: "ok no result", in: `{"ok":true}`},
		{name: "denied", in: `{"ok":false,"error":{"code":"denied","message":"no"}}`, code: "denied"},
		{name: "no code", in: `{"ok":false,"error":{"message":"x"}}`, code: "error"},
		{name: "no error object", in: `{"ok":false}`, code: "error"},
		{name: "not json", in: `nope`, malforms: true},
		{name: "no ok", in: `{"result":1}`, malforms: true},
		{name: "empty", in: ``, malforms: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got string
			err := decodeReply([]byte(tc.in), &got)
			var he *HostError
			switch {
			case tc.malforms:
				if !errors.Is(err, errMalformedReply) {
					t.Fatalf("err = %v, want malformed", err)
				}
			case tc.code != "":
				if !errors.As(err, &he) || he.Code != tc.code {
					t.Fatalf("err = %v, want HostError %s", err, tc.code)
				}
			default:
				if err != nil || got != tc.want {
					t.Fatalf("got %q, %v; want %q", got, err, tc.want)
				}
			}
		})
	}
	if err := decodeReply([]byte(`{"ok":true,"result":5}`), new(string)); err == nil {
		t.Error("result of the wrong type decoded")
	}
}

func TestHostErrorText(t *testing.T) {
	if got := (&HostError{Code: "denied", Message: "storage not granted"}).Error(); got != "denied: storage not granted" {
		t.Errorf("Error() = %q", got)
	}
	if got := (&HostError{Code: "denied"}).Error(); got != "denied" {
		t.Errorf("Error() = %q", got)
	}
}

func FuzzDecodeReply(f *testing.F) {
	for _, s := range []string{`{"ok":true,"result":{"value":"v","found":true}}`, `{"ok":false,"error":{"code":"denied","message":"m"}}`, `{"ok":1}`, `[]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var v any
		err := decodeReply(b, &v)
		var he *HostError
		if errors.As(err, &he) && he.Code == "" {
			t.Fatalf("HostError without a code from %q", b)
		}
	})
}
