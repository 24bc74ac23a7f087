package registry

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSecondSpellingReplayRefused reads a registry's newest index, then
// has the same registry, spelled another way, serve an older validly
// signed index: the memory of the first read applies to every spelling,
// so the replay is refused with ErrStaleIndex.
func TestSecondSpellingReplayRefused(t *testing.T) {
	t.Parallel()
	dir, sk, pk := makeRegistry(t, "1.0.0")
	old := t.TempDir()
	for _, name := range []string{IndexName, SignatureName} {
		copyFile(t, filepath.Join(dir, name), filepath.Join(old, name))
	}
	if _, err := Add(t.Context(), dir, packHello(t, variant{version: "1.1.0"}), sk, AddOptions{}); err != nil {
		t.Fatal(err)
	}
	srv := serve(t, dir)
	port := strings.TrimPrefix(srv.URL, "http://127.0.0.1:")
	seen := Seen{}
	first := &Client{IndexURL: srv.URL + "/", Key: pk}
	ix, err := first.Index(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !seen.Remember(first, ix.Updated) {
		t.Fatal("the first index was not remembered")
	}
	// The server now replays the old index.
	for _, name := range []string{IndexName, SignatureName} {
		copyFile(t, filepath.Join(old, name), filepath.Join(dir, name))
	}
	for _, s := range []string{
		"http://127.0.0.1:" + port,
		"HTTP://127.0.0.1:" + port + "/./",
		"http://127.0.0.1:" + port + "/index.json",
		"http://127.0.0.1:" + port + "//a/../index.json",
	} {
		c := &Client{IndexURL: s, Key: pk}
		c.NotBefore = seen.NotBefore(c)
		if _, err := c.Index(t.Context()); !errors.Is(err, ErrStaleIndex) {
			t.Errorf("%s: %v, want ErrStaleIndex", s, err)
		}
	}
	// Local directories: the same in every spelling.
	seen = Seen{}
	if !seen.Remember(&Client{IndexURL: old + "/", Key: pk}, ix.Updated) {
		t.Fatal("not remembered")
	}
	for _, s := range []string{old, old + "/./", "file://" + filepath.ToSlash(old) + "/index.json", old + "/../" + filepath.Base(old)} {
		c := &Client{IndexURL: s, Key: pk}
		c.NotBefore = seen.NotBefore(c)
		if _, err := c.Index(t.Context()); !errors.Is(err, ErrStaleIndex) {
			t.Errorf("%s: %v, want ErrStaleIndex", s, err)
		}
	}
}

// TestSeenReadsOldEntries: an entry written before identities, keyed by
// the location alone, still protects every spelling of that location;
// another location starts fresh.
func TestSeenReadsOldEntries(t *testing.T) {
	t.Parallel()
	_, _, pk := makeRegistry(t, "1.0.0")
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	seen := Seen{"https://plugins.example.com/reg/index.json": at}
	c := &Client{IndexURL: "https://PLUGINS.example.com:443/reg/", Key: pk}
	if got := seen.NotBefore(c); !got.Equal(at) {
		t.Fatalf("NotBefore from an old entry = %v, want %v", got, at)
	}
	if got := seen.NotBefore(&Client{IndexURL: "https://plugins.example.com/other/", Key: pk}); !got.IsZero() {
		t.Fatalf("another registry inherited %v", got)
	}
	if seen.Remember(c, at.Add(-time.Hour)) {
		t.Fatal("an older time replaced a newer one")
	}
	if !seen.Remember(c, at.Add(time.Hour)) || !seen.NotBefore(c).Equal(at.Add(time.Hour)) {
		t.Fatal("a newer time was not remembered")
	}
}

// TestNormalizeLocation lists spellings that name one registry.
func TestNormalizeLocation(t *testing.T) {
	t.Parallel()
	want := "https://plugins.example.com/reg/index.json"
	for _, s := range []string{
		"https://plugins.example.com/reg",
		"https://plugins.example.com/reg/",
		"HTTPS://Plugins.Example.COM/reg/",
		"https://plugins.example.com:443/reg/",
		"https://plugins.example.com./reg/",
		"https://plugins.example.com/reg/./index.json",
		"https://plugins.example.com/x/../reg//index.json",
		"https://plugins.example.com/%72eg/",
	} {
		got, err := NormalizeLocation(s)
		if err != nil || got != want {
			t.Errorf("NormalizeLocation(%q) = %q, %v; want %q", s, got, err, want)
		}
	}
	for _, s := range []string{"http://plugins.example.com/reg/", "https://plugins.example.com:8443/reg/", "https://plugins.example.com/Reg/"} {
		if got, _ := NormalizeLocation(s); got == want {
			t.Errorf("%q names another registry but normalises to %q", s, got)
		}
	}
}
