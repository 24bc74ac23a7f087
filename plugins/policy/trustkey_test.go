package policy

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// TestForgedKeyIDIsNotTrusted presents a signer key that carries a trusted
// key's id but another Ed25519 key, as anyone can mint: under
// require_signatures it is an untrusted publisher, and the reason says the
// id matched but the key did not.
func TestForgedKeyIDIsNotTrusted(t *testing.T) {
	t.Parallel()
	p := mustParse(t, `{"policy_version": 1, "default": "allow", "require_signatures": true, "trusted_keys": ["`+keyA+`"]}`)
	// keyB's Ed25519 key with keyA's id.
	a, _ := base64.StdEncoding.DecodeString(keyA)
	b, _ := base64.StdEncoding.DecodeString(keyB)
	forged := append(append(append([]byte{}, b[:2]...), a[2:10]...), b[10:]...)
	forgedKey := base64.StdEncoding.EncodeToString(forged)
	if k, err := ParseTrustedKey(forgedKey); err != nil || k.ID != keyAID {
		t.Fatalf("forged key: %v, id %s", err, k.ID)
	}
	for _, tt := range []struct {
		name string
		c    Candidate
	}{
		{"forged key with the trusted id", Candidate{ID: "com.example.x", Signed: true, SignerKey: forgedKey, SignerKeyID: keyAID}},
		{"trusted id without its key", Candidate{ID: "com.example.x", Signed: true, SignerKeyID: keyAID}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := p.Check(tt.c)
			if d.Allowed || !errors.Is(d.Err(), ErrUntrustedPublisher) {
				t.Fatalf("decision %+v, want ErrUntrustedPublisher", d)
			}
		})
	}
	if d := p.Check(Candidate{ID: "com.example.x", Signed: true, SignerKey: forgedKey}); !strings.Contains(d.Reason, "different key") {
		t.Errorf("reason %q does not say the key differs", d.Reason)
	}
	if d := p.Check(Candidate{ID: "com.example.x", Signed: true, SignerKey: keyA}); !d.Allowed {
		t.Errorf("the trusted key itself: %+v", d)
	}
	if p.TrustsKey(forgedKey) || !p.TrustsKey(keyA) {
		t.Error("TrustsKey compares ids, not keys")
	}
}
