package registry

import (
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// TestExpiredIndexRefused plays a mirror that keeps serving a validly
// signed index after its expiry (a freeze attack): refused with
// ErrExpiredIndex. So is an index signed without an expiry, as one made
// before indexes expired. Refresh re-signs the index with a new expiry.
func TestExpiredIndexRefused(t *testing.T) {
	t.Parallel()
	dir, sk, pk := makeRegistry(t)
	if _, err := Add(t.Context(), dir, packHello(t, variant{version: "1.0.0"}), sk, AddOptions{ValidFor: time.Hour}); err != nil {
		t.Fatal(err)
	}
	srv := serve(t, dir)
	now := time.Now()
	c := &Client{IndexURL: srv.URL + "/", Key: pk, Now: func() time.Time { return now }}
	ix, err := c.Index(t.Context())
	if err != nil {
		t.Fatalf("a fresh index: %v", err)
	}
	if d := ix.Expires.Sub(ix.Updated); d != time.Hour {
		t.Fatalf("expires %v after updated, want 1h", d)
	}

	// Two hours later the mirror still serves it.
	now = now.Add(2 * time.Hour)
	if _, err := c.Index(t.Context()); !errors.Is(err, ErrExpiredIndex) {
		t.Fatalf("expired index: %v, want ErrExpiredIndex", err)
	}

	// The maintainer refreshes: accepted again, for the default validity.
	fresh, err := Refresh(t.Context(), dir, sk, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !fresh.Updated.After(ix.Updated) || fresh.Expires.Sub(fresh.Updated) != DefaultValidity {
		t.Fatalf("refreshed: updated %v expires %v", fresh.Updated, fresh.Expires)
	}
	if _, err := c.Index(t.Context()); err != nil {
		t.Fatalf("refreshed index: %v", err)
	}

	// An index signed without any expiry.
	legacy, err := loadLocal(dir, pk, false)
	if err != nil {
		t.Fatal(err)
	}
	legacy.Expires = time.Time{}
	legacy.Updated = legacy.Updated.Add(time.Second)
	if err := publish(dir, legacy, sk, legacy.Updated); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseIndex(readFile(t, filepath.Join(dir, IndexName))); err != nil {
		t.Fatalf("an index without expires no longer parses: %v", err)
	}
	if _, err := c.Index(t.Context()); !errors.Is(err, ErrExpiredIndex) {
		t.Fatalf("index without expiry: %v, want ErrExpiredIndex", err)
	}
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := readLimited(path, DefaultMaxIndex)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
