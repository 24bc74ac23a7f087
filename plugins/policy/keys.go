package policy

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
)

// KeyID identifies a minisign key: its 8-byte key number as 16 upper-case
// hex digits, in the form minisign prints it ("minisign public key
// F0953E553CBACCC0"), that is the little-endian number stored in the key.
type KeyID string

// KeyIDFromBytes returns the KeyID of the 8 key-number bytes found in
// minisign public keys and signatures (bytes 2 to 10 of the decoded key).
func KeyIDFromBytes(b [8]byte) KeyID {
	return KeyID(fmt.Sprintf("%016X", binary.LittleEndian.Uint64(b[:])))
}

// ParseKeyID accepts 16 hex digits in either case and returns them as a
// KeyID.
func ParseKeyID(s string) (KeyID, error) {
	if len(s) != 16 {
		return "", fmt.Errorf("key id %q: want 16 hex digits as minisign prints them", s)
	}
	if _, err := hex.DecodeString(s); err != nil {
		return "", fmt.Errorf("key id %q: want 16 hex digits as minisign prints them", s)
	}
	return KeyID(strings.ToUpper(s)), nil
}

// TrustedKey is a publisher key from the policy's trusted_keys.
type TrustedKey struct {
	// ID is the key's id as minisign prints it.
	ID KeyID
	// PublicKey is the raw Ed25519 public key.
	PublicKey [32]byte
	// Encoded is the base64 line as written in the policy (and in the
	// second line of a minisign .pub file).
	Encoded string
}

// minisign public keys decode to "Ed" (the signature algorithm), the 8-byte
// key number and the 32-byte Ed25519 key.
const (
	minisignAlg    = "Ed"
	minisignKeyLen = 2 + 8 + 32
)

// ParseTrustedKey decodes a minisign public key: the base64 line of a .pub
// file, such as "RWTAzLo8VT6V8JxwqrXAyetiTevzgqMzcCAxPzKkpc8xhf5weLgZPczz".
func ParseTrustedKey(s string) (TrustedKey, error) {
	const want = "want the base64 line of a minisign .pub file (56 characters starting with \"RW\")"
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != minisignKeyLen {
		return TrustedKey{}, fmt.Errorf("not a minisign public key: %s", want)
	}
	if string(b[:2]) != minisignAlg {
		return TrustedKey{}, fmt.Errorf("unsupported minisign key algorithm %q: %s", b[:2], want)
	}
	k := TrustedKey{ID: KeyIDFromBytes([8]byte(b[2:10])), Encoded: s}
	copy(k.PublicKey[:], b[10:])
	return k, nil
}

// TrustsKey reports whether encoded, the base64 line of a minisign public
// key, is one of the trusted keys. Keys are compared in full (id and
// Ed25519 key, in constant time), never by id alone: anyone can mint a key
// carrying a trusted key's id. It costs one base64 decode and one
// comparison per trusted key.
func (p *Policy) TrustsKey(encoded string) bool {
	if p == nil || encoded == "" {
		return false
	}
	k, err := ParseTrustedKey(encoded)
	if err != nil {
		return false
	}
	found := 0
	for _, t := range p.keys {
		same := subtle.ConstantTimeCompare([]byte(t.ID), []byte(k.ID)) & subtle.ConstantTimeCompare(t.PublicKey[:], k.PublicKey[:])
		found |= same
	}
	return found == 1
}

// untrustedSigner describes c's signer when it is not a trusted key, or
// returns "" when it is.
func (p *Policy) untrustedSigner(c Candidate) string {
	if p.TrustsKey(c.SignerKey) {
		return ""
	}
	if c.SignerKey == "" {
		return fmt.Sprintf("key %s, whose full public key is not known (only a verified signature names it)", displayKey(c.SignerKeyID))
	}
	k, err := ParseTrustedKey(c.SignerKey)
	if err != nil {
		return "a key that is not a minisign public key"
	}
	if _, ok := p.TrustedKey(string(k.ID)); ok {
		return fmt.Sprintf("a key that carries the id %s of a trusted key but is a different key", k.ID)
	}
	return "key " + string(k.ID)
}
