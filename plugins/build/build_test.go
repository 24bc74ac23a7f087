package build

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// plugin lays out a tiny standalone module: a backend package without imports (so it
// builds offline) and a stand-in sdk/guest directory.
func plugin(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":             "module example.com/p\n\ngo 1.24\n",
		"backend/main.go":    "package main\n\n//go:wasmexport ping\nfunc ping() int32 { return 0 }\n\nfunc main() {}\n",
		"sdk/guest/guest.go": "package guest\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func touch(t *testing.T, path string, at time.Time) {
	t.Helper()
	if err := os.Chtimes(path, at, at); err != nil {
		t.Fatal(err)
	}
}

func TestBackend(t *testing.T) {
	ctx := context.Background()
	dir := plugin(t)
	wasm, err := Backend(ctx, dir, "backend/p.wasm")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(wasm)
	if err != nil || len(b) < 8 || string(b[:4]) != "\x00asm" {
		t.Fatalf("%s is not a wasm module (%v)", wasm, err)
	}

	// Fresh: no rebuild (the mtime stays put).
	old := time.Now().Add(-time.Hour)
	for _, f := range []string{"backend/main.go", "sdk/guest/guest.go", "go.mod"} {
		touch(t, filepath.Join(dir, f), old.Add(-time.Minute))
	}
	touch(t, wasm, old)
	if _, err := Backend(ctx, dir, "backend/p.wasm"); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(wasm); !info.ModTime().Equal(old) {
		t.Fatal("an up-to-date backend was rebuilt")
	}

	// A newer SDK file makes it stale.
	touch(t, filepath.Join(dir, "sdk/guest/guest.go"), time.Now())
	if _, err := Backend(ctx, dir, "backend/p.wasm"); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(wasm); info.ModTime().Equal(old) {
		t.Fatal("a backend older than the guest SDK was not rebuilt")
	}
}

func TestBackendErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := Backend(ctx, dir, "backend/none.wasm"); !errors.Is(err, ErrNoBackend) {
		t.Fatalf("no sources, no wasm: %v", err)
	}
	// A prebuilt wasm without sources is used as is.
	if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	pre := filepath.Join(dir, "bin", "x.wasm")
	if err := os.WriteFile(pre, []byte("\x00asm\x01\x00\x00\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := Backend(ctx, dir, "bin/x.wasm"); err != nil || got != pre {
		t.Fatalf("prebuilt = %q, %v", got, err)
	}
	for _, bad := range []string{"", "/abs/x.wasm", "../x.wasm"} {
		if _, err := Backend(ctx, dir, bad); err == nil {
			t.Errorf("wasm path %q accepted", bad)
		}
	}
	// Sources that do not compile report the compiler's message.
	src := filepath.Join(dir, "broken")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/b\n\ngo 1.24\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "main.go"), []byte("package main\nfunc main() { undefined() }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Backend(ctx, dir, "broken/b.wasm"); err == nil {
		t.Fatal("broken sources built")
	}
}
