// Package plugintest gives Warden's tests plugins to work with, without
// writing into the source tree: copies of the example plugins with their Go
// backends built once per test run, copies with a tiny stand-in backend for
// tests that need a plugin but never run its backend, and the directory the
// tests of one run share (built backends, compiled machine code).
package plugintest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/wardenhq/warden/manifest"
	"github.com/wardenhq/warden/plugins/build"
)

// EnvCache names the environment variable holding the directory the tests
// of a run share: `make test` points it at a fresh directory and removes it
// afterwards. Unset, the tests use warden-test under the user's cache
// directory (os.UserCacheDir), which later runs reuse; it can be deleted at
// any time.
const EnvCache = "WARDEN_TEST_CACHE"

// EnvCompileCache names the variable the warden command reads its
// compilation cache directory from (see README); tests that start warden
// processes set it to CompileCache.
const EnvCompileCache = "WARDEN_CACHE_DIR"

var cacheDir = sync.OnceValues(func() (string, error) {
	dir := os.Getenv(EnvCache)
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			base = os.TempDir()
		}
		dir = filepath.Join(base, "warden-test")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("test cache: %w", err)
	}
	return dir, nil
})

// CacheDir returns the directory shared by the tests of the run (see
// EnvCache), creating it.
func CacheDir() (string, error) { return cacheDir() }

// CompileCacheDir is CompileCache for callers without a testing.TB (TestMain).
func CompileCacheDir() (string, error) {
	dir, err := CacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "wasm"), nil
}

// CompileCache returns the wazero compilation cache directory every test
// engine of the run shares, so that each backend is compiled cold once per
// run instead of once per test. Entries are keyed by the module's hash and
// wazero's version: sharing them changes no outcome.
func CompileCache(t testing.TB) string {
	t.Helper()
	dir, err := CompileCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// Root returns the repository's root directory: the nearest directory
// above the working directory (a test's is its package's) whose go.mod
// declares Warden's module. It does not use the source file's path, which
// a -trimpath build (make test) does not keep.
func Root() string {
	dir, err := os.Getwd()
	if err != nil {
		return "."
	}
	for d := dir; ; d = filepath.Dir(d) {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && strings.HasPrefix(string(b), "module github.com/wardenhq/warden\n") {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

var (
	builtMu sync.Mutex
	built   = map[string][]byte{}
)

// Backend returns the WebAssembly module built from the Go package at pkg,
// a slash path relative to the repository root such as
// "examples/hello/backend". It is built once per run into CacheDir, keyed
// by its sources (the package, sdk/guest, go.mod and go.sum) and the Go
// version, so test binaries running side by side share one build.
func Backend(pkg string) ([]byte, error) {
	builtMu.Lock()
	defer builtMu.Unlock()
	if b, ok := built[pkg]; ok {
		return b, nil
	}
	root := Root()
	dir := filepath.Join(root, filepath.FromSlash(pkg))
	key, err := sourceKey(root, dir)
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", pkg, err)
	}
	cache, err := CacheDir()
	if err != nil {
		return nil, err
	}
	out := filepath.Join(cache, "backends", strings.ReplaceAll(pkg, "/", "-")+"-"+key+".wasm")
	b, err := os.ReadFile(out)
	if errors.Is(err, fs.ErrNotExist) {
		b, err = buildLocked(dir, out)
	}
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", pkg, err)
	}
	built[pkg] = b
	return b, nil
}

// buildLocked builds dir to out unless another process did while this one
// waited for the lock.
func buildLocked(dir, out string) ([]byte, error) {
	if err := os.MkdirAll(filepath.Dir(out), 0o700); err != nil {
		return nil, err
	}
	lock, err := os.OpenFile(out+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	defer lock.Close()
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX); err != nil {
		return nil, err
	}
	if b, err := os.ReadFile(out); err == nil {
		return b, nil
	}
	// Built beside out and renamed into place once compiled: a module in
	// place is a compiled one.
	tmp := out + ".tmp"
	defer os.Remove(tmp)
	if err := build.Package(context.Background(), dir, tmp, ""); err != nil {
		return nil, err
	}
	if err := precompile(tmp); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, out); err != nil {
		return nil, err
	}
	return os.ReadFile(out)
}

// precompile compiles wasm into the run's compilation cache in a process
// built without the race detector (see ./precompile): compiling a Go
// backend cold takes a race-built test ten times as long. The compiled
// code and its cache key are the same either way.
func precompile(wasm string) error {
	cache, err := CompileCacheDir()
	if err != nil {
		return err
	}
	// wazero files its cache under its own version, which it reads from
	// the binary's module list; test binaries have none and say "dev".
	// The helper is told the version this binary has.
	ldflags := "-X github.com/tetratelabs/wazero/internal/version.version=" + wazeroVersion()
	cmd := exec.Command(build.GoTool(), "run", "-ldflags="+ldflags, "./internal/plugintest/precompile", cache, wasm)
	cmd.Dir = Root()
	// Whatever flags the tests were built with, not -race.
	cmd.Env = append(os.Environ(), "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("precompile %s: %w\n%s", filepath.Base(wasm), err, out)
	}
	return nil
}

// wazeroVersion is the version wazero finds in this binary (see its
// internal/version.GetWazeroVersion).
func wazeroVersion() string {
	v := ""
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if strings.Contains(dep.Path, "github.com/tetratelabs/wazero") {
				v = dep.Version
			}
		}
		if v == "" || v == "(devel)" {
			v = info.Main.Version
		}
	}
	if v == "" || v == "(devel)" {
		return "dev"
	}
	return v
}

// sourceKey hashes what a backend build depends on.
func sourceKey(root, pkg string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n", runtime.Version())
	files := []string{filepath.Join(root, "go.mod"), filepath.Join(root, "go.sum")}
	for _, dir := range []string{pkg, filepath.Join(root, "sdk", "guest")} {
		matches, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			return "", err
		}
		slices.Sort(matches)
		files = append(files, matches...)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		rel, _ := filepath.Rel(root, f)
		fmt.Fprintf(h, "%s %d\n", filepath.ToSlash(rel), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// Example copies examples/<name> into a new temporary directory of t and
// returns the copy, named name: its backend is the example's, built from
// source (Backend), and its Go sources are left out, so that loading or
// packing the copy never rebuilds it. Tests may change the copy.
func Example(t testing.TB, name string) string {
	t.Helper()
	return copyExample(t, name, nil)
}

// Tiny is Example with TinyWasm as the backend: for tests that need a
// plugin with a backend (to pack, sign, install, publish) but never call
// it. Packing and installing it is quick, where the example's backend is
// several megabytes.
func Tiny(t testing.TB, name string) string {
	t.Helper()
	return copyExample(t, name, TinyWasm())
}

// Examples copies each named example as Example does into one new
// directory and returns it (a stand-in for the repository's examples/).
func Examples(t testing.TB, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range names {
		if err := copyTo(name, filepath.Join(dir, name), nil); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// CopyExample is Example into dst, for callers without a testing.TB.
func CopyExample(name, dst string) error { return copyTo(name, dst, nil) }

// CopyTiny is Tiny into dst, for callers without a testing.TB.
func CopyTiny(name, dst string) error { return copyTo(name, dst, TinyWasm()) }

func copyExample(t testing.TB, name string, wasm []byte) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), name)
	if err := copyTo(name, dst, wasm); err != nil {
		t.Fatal(err)
	}
	return dst
}

// copyTo copies examples/<name> to dst without Go sources or built
// modules, then writes the backend: wasm, or the example's own when nil.
func copyTo(name, dst string, wasm []byte) error {
	src := filepath.Join(Root(), "examples", name)
	m, err := manifest.Load(src)
	if err != nil {
		return err
	}
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if strings.HasSuffix(p, ".go") || strings.HasSuffix(p, ".wasm") || !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		return fmt.Errorf("copy example %s: %w", name, err)
	}
	if m.Backend == nil {
		return nil
	}
	if wasm == nil {
		pkg := filepath.ToSlash(filepath.Join("examples", name, filepath.Dir(filepath.FromSlash(m.Backend.Wasm))))
		if wasm, err = Backend(pkg); err != nil {
			return err
		}
	}
	out := filepath.Join(dst, filepath.FromSlash(m.Backend.Wasm))
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(out, wasm, 0o644)
}
