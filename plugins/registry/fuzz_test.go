package registry

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzParseIndex checks that ParseIndex never panics, that every error
// wraps ErrMalformedIndex, and that an accepted index survives Marshal and
// ParseIndex unchanged and answers Resolve without panicking.
func FuzzParseIndex(f *testing.F) {
	f.Add([]byte(validIndex))
	f.Add([]byte(`{"index_version":1,"updated":"2025-01-31T12:00:00Z","plugins":{}}`))
	f.Add([]byte(`{"index_version":1,"updated":"2025-01-31T12:00:00Z","plugins":{"a.b":{"name":"A","versions":[{"version":"1.0.0","url":"x","sha256":"` + sha + `","size":1,"host":"*","signer":"0000000000000001","published":"2025-01-31T12:00:00Z"}]}}}`))
	f.Add([]byte(`{"index_version":1,"updated":"2025-01-31T12:00:00Z","expires":"2025-03-02T12:00:00Z","plugins":{"a.b":{"name":"A","versions":[{"version":"1.0.0","url":"x","sha256":"` + sha + `","size":1,"host":"*","signer":"E7620F1842B4E81F","signer_key":"RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3","published":"2025-01-31T12:00:00Z"}]}}}`))
	f.Add([]byte(`{"index_version":1,"updated":"2025-01-31T12:00:00Z","expires":"2025-01-30T12:00:00Z","plugins":{"a.b":{"name":"A","versions":[{"version":"1.0.0","url":"x","sha256":"` + sha + `","size":1,"host":"*","signer":"0000000000000001","signer_key":"RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3","published":"2025-01-31T12:00:00Z"}]}}}`))
	f.Add([]byte(`{"plugins":{"a.b":{"name":"A","name":"B"}}}`))
	f.Add([]byte(`{"index_version":1} {}`))
	f.Add([]byte(`{"Index_Version":1,"ſize":null}`))
	f.Add([]byte("\xef\xbb\xbf{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ix, err := ParseIndex(data)
		if err != nil {
			if !errors.Is(err, ErrMalformedIndex) {
				t.Fatalf("error does not wrap ErrMalformedIndex: %v", err)
			}
			return
		}
		out, err := ix.Marshal()
		if err != nil {
			t.Fatalf("accepted index does not marshal: %v", err)
		}
		again, err := ParseIndex(out)
		if err != nil {
			t.Fatalf("marshalled index rejected: %v\n%s", err, out)
		}
		out2, err := again.Marshal()
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("round trip not stable: %v\n%s\n%s", err, out, out2)
		}
		for _, id := range ix.IDs() {
			for _, rng := range []string{"", "^1", ">=1.2 <2", "1.0.0"} {
				v, err := ix.Resolve(id, rng, nil)
				if err == nil && v.ID != id {
					t.Fatalf("Resolve(%s) returned %s", id, v)
				}
			}
			if _, err := resolveBundle(&urlDir, ix.Versions(id)[0]); err != nil {
				t.Fatalf("accepted URL does not resolve: %v", err)
			}
		}
	})
}
