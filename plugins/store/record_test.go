package store

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/permissions"
)

func TestRecordRoundTrip(t *testing.T) {
	t.Parallel()
	at := time.Date(2025, 3, 4, 5, 6, 7, 8, time.UTC)
	p := Plugin{
		ID:             "com.example.notes",
		Version:        "1.2.0",
		Previous:       []string{"1.1.0", "1.0.0"},
		Enabled:        false,
		DisabledReason: "update needs new permissions",
		Pending:        []string{"http"},
		Grants:         permissions.Grants{"storage": {Permission: "storage", GrantedAt: at}},
		Denied:         map[string]time.Time{"clipboard.read": at},
		Range:          "^1",
		Source:         "https://plugins.example.com/index.json",
		Signer:         "E7620F1842B4E81F",
		SignerKey:      "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3",
		KeptSigners:    map[string]string{"1.1.0": "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3"},
		InstalledAt:    at,
		UpdatedAt:      at.Add(time.Hour),
	}
	b, err := encodeRecord(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), `{"v":1,`) {
		t.Errorf("record does not start with its format version: %s", b)
	}
	if !strings.Contains(string(b), `"grants":{"storage":{"granted_at":"2025-03-04T05:06:07.000000008Z"}}`) {
		t.Errorf("grants not in the documented form: %s", b)
	}
	if !strings.Contains(string(b), `"denied":{"clipboard.read":"2025-03-04T05:06:07.000000008Z"}`) {
		t.Errorf("denials not in the documented form: %s", b)
	}
	got, err := decodeRecord(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, p) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, p)
	}
}

func TestDecodeRecordErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"not json", `{"v":1,`, ErrInvalidRecord},
		{"newer format", `{"v":2,"id":"com.example.a","version":"1.0.0"}`, ErrUnsupportedRecord},
		{"no format", `{"id":"com.example.a","version":"1.0.0"}`, ErrUnsupportedRecord},
		{"path in id", `{"v":1,"id":"../../etc","version":"1.0.0"}`, ErrInvalidRecord},
		{"path in version", `{"v":1,"id":"com.example.a","version":"1.0.0/../../x"}`, ErrInvalidRecord},
		{"loose version", `{"v":1,"id":"com.example.a","version":"v1"}`, ErrInvalidRecord},
		{"bad previous", `{"v":1,"id":"com.example.a","version":"1.0.0","previous":[".."]}`, ErrInvalidRecord},
		{"previous repeats current", `{"v":1,"id":"com.example.a","version":"1.0.0","previous":["1.0.0"]}`, ErrInvalidRecord},
		{"previous twice", `{"v":1,"id":"com.example.a","version":"2.0.0","previous":["1.0.0","1.0.0"]}`, ErrInvalidRecord},
		{"bad range", `{"v":1,"id":"com.example.a","version":"1.0.0","range":"^^1"}`, ErrInvalidRecord},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeRecord([]byte(tt.in))
			if !errors.Is(err, tt.want) {
				t.Fatalf("decode %s: err %v, want %v", tt.in, err, tt.want)
			}
		})
	}
}

func TestCloneIsDeep(t *testing.T) {
	t.Parallel()
	p := Plugin{Previous: []string{"1.0.0"}, Pending: []string{"http"}, Grants: permissions.Grants{"storage": {}}, Denied: map[string]time.Time{"dialog": {}}}
	c := p.clone()
	c.Previous[0], c.Pending[0] = "x", "y"
	c.Grants["fs.read"] = permissions.Grant{}
	c.Denied["open_url"] = time.Time{}
	if p.Previous[0] != "1.0.0" || p.Pending[0] != "http" || len(p.Grants) != 1 || len(p.Denied) != 1 {
		t.Fatalf("clone shares memory with the original: %+v", p)
	}
}

// FuzzDecodeRecord checks that any stored bytes either decode to a record
// whose id and versions are safe path elements or fail, and that a decoded
// record survives a round trip.
func FuzzDecodeRecord(f *testing.F) {
	f.Add([]byte(`{"v":1,"id":"com.example.a","version":"1.0.0","previous":["0.9.0"],"grants":{"storage":{"granted_at":"2025-01-01T00:00:00Z"}},"range":"^1"}`))
	f.Add([]byte(`{"v":1,"id":"com.example.a","version":"1.0.0-rc.1+b.2"}`))
	f.Add([]byte(`{"v":2}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := decodeRecord(b)
		if err != nil {
			return
		}
		for _, s := range append([]string{p.ID}, p.versions()...) {
			if s == "" || s == "." || s == ".." || strings.ContainsAny(s, "/\\\x00") {
				t.Fatalf("decoded unsafe path element %q", s)
			}
		}
		b2, err := encodeRecord(p)
		if err != nil {
			t.Fatal(err)
		}
		p2, err := decodeRecord(b2)
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if p2.ID != p.ID || p2.Version != p.Version || len(p2.Previous) != len(p.Previous) {
			t.Fatalf("round trip changed the record: %+v -> %+v", p, p2)
		}
	})
}
