package host

import (
	"context"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestLoadUsesCompilationCache loads the same plugin in two hosts on one
// profile: the first compiles the backend and fills the cache, the second
// takes the module from the cache and writes nothing new. The backend is
// the stand-in one: caching does not depend on the module, and a Go
// backend's cold compile takes many seconds under the race detector.
func TestLoadUsesCompilationCache(t *testing.T) {
	profile := t.TempDir()
	dir := writeProbe(t, probeManifest{id: "test.warden.cache", perms: []string{"storage"}, tiny: true})
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
	if r := h2.Invoke(context.Background(), c.l, c.seal(t, "backend.greet", "cache")); !r.OK || string(r.Result) != `"cache"` {
		t.Fatalf("greet after cached load: %s, %v", r.Result, r.Error)
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

// TestCacheDirOption: with CacheDir set, compiled backends go there and
// not under the profile, and a host on another profile reuses them.
func TestCacheDirOption(t *testing.T) {
	cache := t.TempDir()
	dir := writeProbe(t, probeManifest{id: "test.warden.cachedir", perms: []string{"storage"}, tiny: true})
	profile := t.TempDir()
	h1 := newHost(t, Options{Profile: profile, CacheDir: cache})
	load(t, h1, dir, LoadOptions{})
	if err := h1.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	first := snapshot(t, cache)
	if len(first) == 0 {
		t.Fatal("the cache dir is empty after a load")
	}
	if _, err := os.Stat(filepath.Join(profile, "cache")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the profile has a cache directory (%v)", err)
	}
	h2 := newHost(t, Options{Profile: t.TempDir(), CacheDir: cache})
	load(t, h2, dir, LoadOptions{})
	if second := snapshot(t, cache); !maps.Equal(first, second) {
		t.Fatalf("cache changed on a load from another profile:\nfirst  %v\nsecond %v", first, second)
	}
}
