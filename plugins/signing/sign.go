package signing

import (
	"fmt"
	"strings"

	"github.com/jedisct1/go-minisign"
)

// maxTrustedComment is the longest trusted comment minisign reads back.
const maxTrustedComment = 8192 - len(trustedPrefix)

// Sign signs message with sk and returns the text of a .minisig file: a
// prehashed ("ED") Ed25519 signature and a global signature over it and the
// trusted comment. The trusted comment must be one line of printable ASCII
// (tabs allowed); empty means "timestamp:<unix time>". Signing is
// deterministic for a given key, message and comment and costs one
// BLAKE2b-512 pass over message.
func Sign(sk *SecretKey, message []byte, trustedComment string) ([]byte, error) {
	if sk == nil || sk.key == ([64]byte{}) {
		return nil, fmt.Errorf("sign: no secret key (or it was wiped)")
	}
	if err := checkComment(trustedComment); err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	mk, err := sk.minisignKey()
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	defer mk.Wipe()
	sig, err := mk.Sign(message, minisign.SignOptions{
		UntrustedComment: "signature from Warden key " + sk.id.String(),
		TrustedComment:   trustedComment,
		Hashed:           true,
	})
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	return sig.Encode(), nil
}

// checkComment applies minisign's rules for a trusted comment.
func checkComment(c string) error {
	if len(c) > maxTrustedComment {
		return fmt.Errorf("trusted comment is %d bytes; minisign reads at most %d", len(c), maxTrustedComment)
	}
	for i := 0; i < len(c); i++ {
		if b := c[i]; b != '\t' && (b < 0x20 || b >= 0x7f) {
			return fmt.Errorf("trusted comment %q must be one line of printable ASCII", abbreviate(c))
		}
	}
	return nil
}

// Verify checks that sig (the text of a .minisig file) is a valid
// signature of message by one of the trusted keys, and returns that key's
// id. It is [VerifyKey] for callers that need only the id for display;
// decide trust with the key VerifyKey returns.
func Verify(message, sig []byte, trusted []PublicKey) (KeyID, error) {
	pk, id, err := VerifyKey(message, sig, trusted)
	if err != nil {
		return id, err
	}
	return pk.id, nil
}

// VerifyKey checks that sig (the text of a .minisig file) is a valid
// signature of message by one of the trusted keys and returns the key that
// verified it. Every trusted key carrying the id the signature names is
// tried, so a key minted with another key's id neither hides nor
// impersonates it: the key returned is the one whose Ed25519 key matched.
// A signature by no key in trusted is ErrUntrustedKey; one that does not
// match message or whose trusted comment was changed is ErrBadSignature
// (both return the id the signature claims); one that does not parse is
// ErrMalformed. A legacy "Ed" signature is accepted too. Cost: one
// BLAKE2b-512 pass over message and two Ed25519 verifications per key
// tried.
func VerifyKey(message, sig []byte, trusted []PublicKey) (PublicKey, KeyID, error) {
	s, err := ParseSignature(sig)
	if err != nil {
		return PublicKey{}, KeyID{}, err
	}
	var found bool
	var last error
	for _, pk := range trusted {
		if pk.id != s.KeyID {
			continue
		}
		found = true
		mk := pk.minisignKey()
		if _, err := mk.Verify(message, s.raw); err != nil {
			last = err
			continue
		}
		return pk, s.KeyID, nil
	}
	if !found {
		return PublicKey{}, s.KeyID, fmt.Errorf("%w: key %s is not among the trusted keys (%s); trust the publisher's public key to accept it", ErrUntrustedKey, s.KeyID, keyList(trusted))
	}
	return PublicKey{}, s.KeyID, fmt.Errorf("%w: signature by key %s does not match (%s): the signed data or its trusted comment was changed after signing, or it was made by another key with the same id", ErrBadSignature, s.KeyID, strings.ToLower(last.Error()))
}

// keyList names the keys for an error message.
func keyList(keys []PublicKey) string {
	if len(keys) == 0 {
		return "none given"
	}
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = k.id.String()
	}
	return strings.Join(ids, ", ")
}
