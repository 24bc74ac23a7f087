package isolation

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

// KeySize is the size of a launch key in bytes (a ChaCha20-Poly1305 key).
const KeySize = 32

// Key is one launch's ChaCha20-Poly1305 key. Keys come from crypto/rand,
// one per launch, and are never reused.
type Key [KeySize]byte

// NewKey returns a fresh random key from crypto/rand.
func NewKey() (Key, error) {
	var k Key
	if _, err := rand.Read(k[:]); err != nil {
		return Key{}, fmt.Errorf("new key: %w", err)
	}
	return k, nil
}

// NewLaunchID returns a fresh random launch id (128 bits, lower-case hex).
func NewLaunchID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("new launch id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
