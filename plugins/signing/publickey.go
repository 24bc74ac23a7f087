package signing

import (
	"crypto/ed25519"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/jedisct1/go-minisign"
)

// Prefixes of the comment lines in minisign's files.
const (
	untrustedPrefix = "untrusted comment: "
	trustedPrefix   = "trusted comment: "
)

// algEd is minisign's signature algorithm tag for Ed25519 keys.
var algEd = [2]byte{'E', 'd'}

// publicKeyLen is the size of a decoded public key: algorithm, key id and
// the Ed25519 key.
const publicKeyLen = 2 + 8 + ed25519.PublicKeySize

// maxKeyText bounds the key text parsed, far above any real key file.
const maxKeyText = 4096

// PublicKey is a minisign Ed25519 public key. The zero value is no key.
// PublicKeys are comparable with ==.
type PublicKey struct {
	id  KeyID
	key [ed25519.PublicKeySize]byte
}

// ID returns the key's id. An id only names a key: its maker chooses it,
// so two different keys may carry the same id. Decide trust with
// [PublicKey.Equal], never by comparing ids.
func (pk PublicKey) ID() KeyID { return pk.id }

// Equal reports whether pk and other are the same key: the same Ed25519
// public key and the same id. It runs in constant time over the 40 bytes.
func (pk PublicKey) Equal(other PublicKey) bool {
	a := append(pk.id[:len(pk.id):len(pk.id)], pk.key[:]...)
	b := append(other.id[:len(other.id):len(other.id)], other.key[:]...)
	return subtle.ConstantTimeCompare(a, b) == 1
}

// IsZero reports whether pk is the zero value, no key.
func (pk PublicKey) IsZero() bool { return pk.Equal(PublicKey{}) }

// String returns the key as the base64 line of a minisign public key file
// ("RWQ..."), the form `minisign -P` takes.
func (pk PublicKey) String() string {
	b := make([]byte, 0, publicKeyLen)
	b = append(b, algEd[:]...)
	b = append(b, pk.id[:]...)
	b = append(b, pk.key[:]...)
	return base64.StdEncoding.EncodeToString(b)
}

// File returns the text of a minisign public key file:
// "untrusted comment: minisign public key <ID>" and the base64 line.
func (pk PublicKey) File() []byte {
	return []byte(untrustedPrefix + "minisign public key " + pk.id.String() + "\n" + pk.String() + "\n")
}

// MarshalText encodes the key as [PublicKey.String] does, so keys can sit
// in JSON documents such as the admin policy.
func (pk PublicKey) MarshalText() ([]byte, error) { return []byte(pk.String()), nil }

// UnmarshalText decodes a key with [ParsePublicKey].
func (pk *PublicKey) UnmarshalText(b []byte) error {
	v, err := ParsePublicKey(string(b))
	if err != nil {
		return err
	}
	*pk = v
	return nil
}

// ParsePublicKey parses a minisign public key given either as its bare
// base64 line or as the whole key file (an "untrusted comment:" line, then
// the base64 line). Surrounding white space is ignored.
func ParsePublicKey(s string) (PublicKey, error) {
	if len(s) > maxKeyText {
		return PublicKey{}, fmt.Errorf("%w: public key text is %d bytes, more than a key file holds", ErrMalformed, len(s))
	}
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	line := s
	if comment, rest, ok := strings.Cut(s, "\n"); ok {
		if !strings.HasPrefix(comment, untrustedPrefix) {
			return PublicKey{}, fmt.Errorf("%w: public key file must start with %q", ErrMalformed, untrustedPrefix)
		}
		line = strings.TrimSpace(rest)
	}
	if strings.ContainsAny(line, "\n\t ") {
		return PublicKey{}, fmt.Errorf("%w: public key must be one base64 line (like RWQ...)", ErrMalformed)
	}
	bin, err := base64.StdEncoding.Strict().DecodeString(line)
	if err != nil || len(bin) != publicKeyLen {
		return PublicKey{}, fmt.Errorf("%w: public key %q is not a base64 minisign key of %d bytes", ErrMalformed, abbreviate(line), publicKeyLen)
	}
	mk, err := minisign.NewPublicKey(line)
	if err != nil {
		return PublicKey{}, fmt.Errorf("%w: public key: %v", ErrMalformed, err)
	}
	if mk.SignatureAlgorithm != algEd {
		return PublicKey{}, fmt.Errorf("%w: public key algorithm %q is not minisign's Ed25519 (\"Ed\")", ErrMalformed, mk.SignatureAlgorithm[:])
	}
	return PublicKey{id: mk.KeyId, key: mk.PublicKey}, nil
}

// minisignKey converts the key to the library's form.
func (pk PublicKey) minisignKey() minisign.PublicKey {
	return minisign.PublicKey{SignatureAlgorithm: algEd, KeyId: pk.id, PublicKey: pk.key}
}

// abbreviate shortens s for an error message.
func abbreviate(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
