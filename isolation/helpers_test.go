package isolation

import (
	"crypto/rand"
	"testing"

	"golang.org/x/crypto/chacha20poly1305"
)

const (
	testPlugin = "com.example.notes"
	testLaunch = "0123456789abcdef0123456789abcdef"
)

func newTestKey(t testing.TB) Key {
	t.Helper()
	k, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustSeal(t testing.TB, key Key, plugin, launch string, req Request) []byte {
	t.Helper()
	env, err := Seal(key, plugin, launch, req)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	return env
}

// sealRaw seals an arbitrary plaintext with an arbitrary nonce (nil: a
// random one of NonceSize), bypassing Seal's request checks, so tests can
// build authenticated envelopes that are invalid inside.
func sealRaw(key Key, plugin, launch string, nonce, plaintext []byte) []byte {
	if nonce == nil {
		nonce = make([]byte, NonceSize)
		rand.Read(nonce)
	}
	aead := newAEAD(key)
	var ct []byte
	if len(nonce) == NonceSize {
		ct = aead.Seal(nil, nonce, plaintext, associatedData(plugin, launch))
	} else {
		ct = append([]byte(nil), plaintext...)
	}
	return encodeEnvelope(plugin, launch, nonce, ct)
}

// replaceField returns env with field i (0 = version) replaced by s.
func replaceField(env []byte, i int, s string) []byte {
	parts := splitDots(string(env))
	parts[i] = s
	out := parts[0]
	for _, p := range parts[1:] {
		out += "." + p
	}
	return []byte(out)
}

func splitDots(s string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// flipChar returns env with the character at position pos of field i
// replaced by another valid base64url character that keeps the encoding
// canonical (pos must not be the field's last character).
func flipChar(env []byte, i, pos int) []byte {
	parts := splitDots(string(env))
	b := []byte(parts[i])
	if b[pos] == 'A' {
		b[pos] = 'B'
	} else {
		b[pos] = 'A'
	}
	return replaceField(env, i, string(b))
}

// chacha20poly1305Open opens ct independently of the package's own cipher
// set-up, so a test pins the algorithm rather than whatever newAEAD builds.
func chacha20poly1305Open(t testing.TB, key Key, nonce, ct, ad []byte) ([]byte, error) {
	t.Helper()
	aead, err := chacha20poly1305.New(key[:])
	if err != nil {
		t.Fatal(err)
	}
	return aead.Open(nil, nonce, ct, ad)
}
