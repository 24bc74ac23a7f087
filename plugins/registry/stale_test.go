package registry

import (
	"errors"
	"path/filepath"
	"testing"
)

// TestClientRefusesOlderIndex replays a validly signed index older than one
// the client has seen: refused with ErrStaleIndex, while the same or a
// newer index is accepted and reported to Verified.
func TestClientRefusesOlderIndex(t *testing.T) {
	t.Parallel()
	dir, sk, pk := makeRegistry(t, "1.0.0")
	old := t.TempDir()
	for _, name := range []string{IndexName, SignatureName} {
		copyFile(t, filepath.Join(dir, name), filepath.Join(old, name))
	}
	// Published within the same second: Add still moves Updated forward.
	if _, err := Add(t.Context(), dir, packHello(t, variant{version: "1.1.0"}), sk, AddOptions{}); err != nil {
		t.Fatal(err)
	}
	srv := serve(t, dir)
	var seen []*Index
	c := &Client{IndexURL: srv.URL + "/", Key: pk, Verified: func(ix *Index) { seen = append(seen, ix) }}
	newest, err := c.Index(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || seen[0] != newest {
		t.Fatalf("Verified saw %d indexes", len(seen))
	}

	// The same index again, with NotBefore at its own time: accepted.
	c.NotBefore = newest.Updated
	if _, err := c.Index(t.Context()); err != nil {
		t.Fatalf("the newest index itself: %v", err)
	}

	// The older one, served in its place: refused, and not reported.
	for _, name := range []string{IndexName, SignatureName} {
		copyFile(t, filepath.Join(old, name), filepath.Join(dir, name))
	}
	seen = nil
	_, err = c.Index(t.Context())
	if !errors.Is(err, ErrStaleIndex) {
		t.Fatalf("replayed index: %v, want ErrStaleIndex", err)
	}
	if len(seen) != 0 {
		t.Fatal("a refused index was reported to Verified")
	}
	// Without a remembered time the old index is still a valid index.
	c.NotBefore = newest.Updated.AddDate(-1, 0, 0)
	if _, err := c.Index(t.Context()); err != nil {
		t.Fatalf("older index without a newer one seen: %v", err)
	}
}
