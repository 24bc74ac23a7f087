package policy

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestParseTrustedKey(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ key, id string }{{keyA, keyAID}, {keyB, keyBID}} {
		k, err := ParseTrustedKey(tt.key)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := base64.StdEncoding.DecodeString(tt.key)
		if k.ID != KeyID(tt.id) || string(k.PublicKey[:]) != string(raw[10:]) || k.Encoded != tt.key {
			t.Errorf("%s: got %+v, want id %s", tt.key, k, tt.id)
		}
	}
	bad := []struct{ name, key, msg string }{
		{"empty", "", "not a minisign public key"},
		{"not base64", "RW!!", "not a minisign public key"},
		{"short", base64.StdEncoding.EncodeToString([]byte("Ed12345678")), "not a minisign public key"},
		{"secret key length", base64.StdEncoding.EncodeToString(make([]byte, 158)), "not a minisign public key"},
		{"other algorithm", base64.StdEncoding.EncodeToString(append([]byte("ED"), make([]byte, 40)...)), "algorithm"},
		{"with comment line", "untrusted comment: minisign public key " + keyAID + "\n" + keyA, "not a minisign public key"},
	}
	for _, tt := range bad {
		if _, err := ParseTrustedKey(tt.key); err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.msg)
		}
	}
}

func TestKeyIDs(t *testing.T) {
	t.Parallel()
	if got := KeyIDFromBytes([8]byte{0xc0, 0xcc, 0xba, 0x3c, 0x55, 0x3e, 0x95, 0xf0}); got != keyAID {
		t.Errorf("KeyIDFromBytes = %s, want %s", got, keyAID)
	}
	if id, err := ParseKeyID(strings.ToLower(keyAID)); err != nil || id != keyAID {
		t.Errorf("ParseKeyID = %q %v", id, err)
	}
	for _, s := range []string{"", "F0953E553CBACCC", "F0953E553CBACCC0A", "G0953E553CBACCC0"} {
		if _, err := ParseKeyID(s); err == nil {
			t.Errorf("ParseKeyID(%q) accepted", s)
		}
	}
	p := mustParse(t, `{"policy_version": 1, "default": "allow", "trusted_keys": ["`+keyA+`"]}`)
	if k, ok := p.TrustedKey(strings.ToLower(keyAID)); !ok || k.Encoded != keyA {
		t.Errorf("TrustedKey = %+v %v", k, ok)
	}
	if _, ok := p.TrustedKey(keyBID); ok {
		t.Error("TrustedKey found an unlisted key")
	}
}
