package policy

import (
	"errors"
	"testing"
)

// FuzzParse checks that Parse never panics, that every error is an *Error
// matching ErrInvalid with a position inside the input, and that an accepted
// policy answers questions without panicking.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"policy_version": 1, "default": "allow"}`))
	f.Add([]byte(`{"policy_version": 1, "default": "block", "require_signatures": true, "trusted_keys": ["` + keyA + `"],
	  "blocked_permissions": ["fs.*", "http"], "ceilings": {"backend_timeout_ms": 5000, "invoke_rate": 10},
	  "plugins": [{"id": "com.*", "versions": ">=1.2 <2"}, {"id": "com.a.b", "pin": "1.4.2", "min_version": "1.0.0"},
	  {"id": "*", "allow": false, "reason": "no"}]}`))
	f.Add([]byte(`{"plugins": [{"id": "a", "id": "b"}]}`))
	f.Add([]byte(`{"policy_version": 1,,}`))
	f.Add([]byte("\xef\xbb\xbf{}"))
	f.Add([]byte(`{"ceilings": {"invoke_rate": 1e3}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error does not match ErrInvalid: %v", err)
			}
			eachError(err, func(e *Error) {
				if e.Line < 0 || e.Column < 0 || e.Line > len(data)+1 {
					t.Fatalf("position out of range: %v", e)
				}
			})
			return
		}
		for _, id := range []string{"com.a.b", "x", ""} {
			p.Check(Candidate{ID: id, Version: "1.4.2", Permissions: []string{"http", "storage"}, Signed: true, SignerKey: keyA, SignerKeyID: keyAID})
			p.Pick(id, []string{"1.0.0", "1.4.2", "2.0.0"})
			p.Explain(id)
		}
	})
}
