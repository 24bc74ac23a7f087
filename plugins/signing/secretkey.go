package signing

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/jedisct1/go-minisign"
	"golang.org/x/crypto/blake2b"
)

// Layout of a decoded minisign secret key: algorithm "Ed", KDF algorithm
// ("Sc" for scrypt, two zero bytes for none), checksum algorithm "B2", KDF
// salt, opslimit and memlimit (little-endian), then the key id, the 64-byte
// Ed25519 secret key and a BLAKE2b-256 checksum; with a KDF the last three
// are XORed with the scrypt stream.
const secretKeyLen = 2 + 2 + 2 + 32 + 8 + 8 + 8 + ed25519.PrivateKeySize + 32

var algChecksum = [2]byte{'B', '2'}

// SecretKey is a decrypted minisign Ed25519 secret key. Call Wipe when done
// with it.
type SecretKey struct {
	id  KeyID
	key [ed25519.PrivateKeySize]byte
}

// GenerateKey makes a new key pair from rand (crypto/rand when nil): a
// random Ed25519 key and a random key id, as minisign does.
func GenerateKey(rnd io.Reader) (*SecretKey, PublicKey, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	var seed [ed25519.SeedSize]byte
	sk := &SecretKey{}
	if _, err := io.ReadFull(rnd, seed[:]); err != nil {
		return nil, PublicKey{}, fmt.Errorf("generate key: %w", err)
	}
	if _, err := io.ReadFull(rnd, sk.id[:]); err != nil {
		return nil, PublicKey{}, fmt.Errorf("generate key: %w", err)
	}
	copy(sk.key[:], ed25519.NewKeyFromSeed(seed[:]))
	clear(seed[:])
	return sk, sk.Public(), nil
}

// ID returns the key's id.
func (sk *SecretKey) ID() KeyID { return sk.id }

// Public returns the matching public key.
func (sk *SecretKey) Public() PublicKey {
	pk := PublicKey{id: sk.id}
	copy(pk.key[:], sk.key[ed25519.SeedSize:])
	return pk
}

// Wipe overwrites the key material with zeros; the key cannot sign
// afterwards.
func (sk *SecretKey) Wipe() {
	clear(sk.key[:])
}

// File returns the text of an unencrypted minisign secret key file (the
// form `minisign -G -W` writes): an "untrusted comment:" line and the
// base64 key, with the BLAKE2b-256 checksum filled in.
func (sk *SecretKey) File() []byte {
	bin := make([]byte, 0, secretKeyLen)
	bin = append(bin, algEd[:]...)
	bin = append(bin, 0, 0) // no KDF: the key is stored in the clear
	bin = append(bin, algChecksum[:]...)
	bin = append(bin, make([]byte, 32+8+8)...) // salt, opslimit, memlimit unused without a KDF
	bin = append(bin, sk.id[:]...)
	bin = append(bin, sk.key[:]...)
	sum := sk.checksum()
	bin = append(bin, sum[:]...)
	return []byte(untrustedPrefix + "minisign unencrypted secret key " + sk.id.String() + "\n" + base64.StdEncoding.EncodeToString(bin) + "\n")
}

// checksum is minisign's BLAKE2b-256 over the algorithm, key id and key.
func (sk *SecretKey) checksum() [32]byte {
	h, _ := blake2b.New256(nil)
	h.Write(algEd[:])
	h.Write(sk.id[:])
	h.Write(sk.key[:])
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// ParseSecretKey parses a minisign secret key file. An encrypted key needs
// its password (an empty password gives ErrEncryptedKey); decrypting runs
// scrypt with the key's own limits, which for keys made by minisign costs
// about a second and 1 GiB of memory. The key's checksum and its public
// half are checked: a damaged file is ErrMalformed.
func ParseSecretKey(data []byte, password string) (*SecretKey, error) {
	if len(data) > maxKeyText {
		return nil, fmt.Errorf("%w: secret key file is %d bytes, more than a key file holds", ErrMalformed, len(data))
	}
	text := strings.TrimSpace(strings.ReplaceAll(string(data), "\r\n", "\n"))
	comment, line, ok := strings.Cut(text, "\n")
	if !ok || !strings.HasPrefix(comment, untrustedPrefix) {
		return nil, fmt.Errorf("%w: secret key file must be an %q line and a base64 line", ErrMalformed, untrustedPrefix)
	}
	line = strings.TrimSpace(line)
	bin, err := base64.StdEncoding.Strict().DecodeString(line)
	if err != nil || len(bin) != secretKeyLen {
		return nil, fmt.Errorf("%w: secret key is not a base64 minisign secret key of %d bytes", ErrMalformed, secretKeyLen)
	}
	mk, err := minisign.NewPrivateKey(line)
	if err != nil {
		return nil, fmt.Errorf("%w: secret key: %v", ErrMalformed, err)
	}
	defer mk.Wipe()
	if mk.IsEncrypted() {
		if password == "" {
			return nil, fmt.Errorf("%w: give its password", ErrEncryptedKey)
		}
		if mk.KDFOpsLimit > maxOpsLimit || mk.KDFMemLimit > maxMemLimit {
			return nil, fmt.Errorf("%w: secret key asks for scrypt limits (ops %d, memory %d) above what minisign uses", ErrMalformed, mk.KDFOpsLimit, mk.KDFMemLimit)
		}
		if err := mk.Decrypt(password); err != nil {
			if err.Error() == "Wrong password" {
				return nil, ErrWrongPassword
			}
			return nil, fmt.Errorf("%w: decrypt secret key: %v", ErrMalformed, err)
		}
	}
	sk := &SecretKey{id: mk.KeyId, key: mk.SecretKey}
	// minisign -W (0.11) leaves the checksum of an unencrypted key zero;
	// any other value must match.
	if sum := sk.checksum(); mk.Checksum != ([32]byte{}) && subtle.ConstantTimeCompare(sum[:], mk.Checksum[:]) != 1 {
		sk.Wipe()
		return nil, fmt.Errorf("%w: secret key checksum does not match: the file is damaged", ErrMalformed)
	}
	derived := ed25519.NewKeyFromSeed(sk.key[:ed25519.SeedSize])
	if !bytes.Equal(derived[ed25519.SeedSize:], sk.key[ed25519.SeedSize:]) {
		sk.Wipe()
		return nil, fmt.Errorf("%w: secret key's public half does not match its seed: the file is damaged", ErrMalformed)
	}
	return sk, nil
}

// scrypt limits above minisign's own (libsodium's OPSLIMIT_SENSITIVE and
// MEMLIMIT_SENSITIVE) are refused so that a crafted key file cannot make
// Warden spend more than about a second and 1 GiB.
const (
	maxOpsLimit = 1 << 25
	maxMemLimit = 1 << 30
)

// minisignKey converts the key to the library's form; the caller wipes it.
func (sk *SecretKey) minisignKey() (*minisign.PrivateKey, error) {
	if sk == nil {
		return nil, errors.New("no secret key")
	}
	mk := &minisign.PrivateKey{SignatureAlgorithm: algEd, ChecksumAlgorithm: algChecksum, KeyId: sk.id, SecretKey: sk.key}
	return mk, nil
}
