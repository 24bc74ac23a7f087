package host

import (
	"context"
	"io/fs"
	"maps"
	"path/filepath"
	"testing"
	"time"
)

// TestLoadUsesCompilationCache loads the same plugin in two hosts on one
// profile: the first compiles the backend and fills the cache, the second
// takes the module from the cache and writes nothing new.
func TestLoadUsesCompilationCache(t *testing.T) {
	profile := t.TempDir()
	dir := writeProbe(t, probeManifest{id: "test.warden.cache", perms: []string{"storage"}})
	cache := filepath.Join(profile, "cache", "wasm")

	h1 := newHost(t, Options{Profile: profile})
	load(t, h1, dir, LoadOptions{})
	if err := h1.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	first := snapshot(t, cache)
	if len(first) == 0 {
		t.Fatal("compilation cache is empty after the first load")
	}

	h2 := newHost(t, Options{Profile: profile})
	p := load(t, h2, dir, LoadOptions{})
	c := launch(t, p)
	if r := h2.Invoke(context.Background(), c.l, c.seal(t, "backend.greet", "cache")); !r.OK {
		t.Fatalf("greet after cached load: %v", r.Error)
	}
	if second := snapshot(t, cache); !maps.Equal(first, second) {
		t.Fatalf("cache changed on the second load:\nfirst  %v\nsecond %v", first, second)
	}
}

// snapshot maps every file under dir to its modification time.
func snapshot(t *testing.T, dir string) map[string]time.Time {
	t.Helper()
	out := map[string]time.Time{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		out[path] = info.ModTime()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
