package registry

import (
	"errors"
	"testing"

	"github.com/wardenhq/warden/plugins/signing"
)

// TestAddVerifiesPublisherKey: with publisher keys, Add lists the key that
// verifies the bundle and refuses a bundle none of them verifies.
func TestAddVerifiesPublisherKey(t *testing.T) {
	t.Parallel()
	dir, sk, pk := makeRegistry(t)
	pubSK, pubPK := newKey(t)
	v, err := Add(t.Context(), dir, packHello(t, variant{version: "1.0.0", sk: pubSK}), sk, AddOptions{Publisher: []signing.PublicKey{pubPK}})
	if err != nil {
		t.Fatal(err)
	}
	if !v.SignerKey.Equal(pubPK) {
		t.Fatalf("listed key %v, want %v", v.SignerKey, pubPK)
	}
	ix, err := (&Client{IndexURL: dir, Key: pk}).Index(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got := ix.Versions("dev.warden.hello")[0].SignerKey; !got.Equal(pubPK) {
		t.Fatalf("index lists %v", got)
	}
	other, _ := newKey(t)
	if _, err := Add(t.Context(), dir, packHello(t, variant{version: "1.1.0", sk: other}), sk, AddOptions{Publisher: []signing.PublicKey{pubPK}}); !errors.Is(err, signing.ErrUntrustedKey) {
		t.Fatalf("bundle by another key: %v, want ErrUntrustedKey", err)
	}
}
