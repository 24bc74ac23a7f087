package build

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/manifest"
)

// be is the manifest backend naming wasm, toolchain chosen from the sources.
func be(wasm string) *manifest.Backend { return &manifest.Backend{Wasm: wasm} }

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
	res, err := Backend(ctx, dir, be("backend/p.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	wasm := res.Wasm
	if !res.Built || res.Toolchain != manifest.ToolchainGo {
		t.Errorf("first build = %+v, want built with go", res)
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
	if res, err := Backend(ctx, dir, be("backend/p.wasm")); err != nil || res.Built {
		t.Fatal(res, err)
	}
	if info, _ := os.Stat(wasm); !info.ModTime().Equal(old) {
		t.Fatal("an up-to-date backend was rebuilt")
	}

	// A newer SDK file makes it stale.
	touch(t, filepath.Join(dir, "sdk/guest/guest.go"), time.Now())
	if _, err := Backend(ctx, dir, be("backend/p.wasm")); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(wasm); info.ModTime().Equal(old) {
		t.Fatal("a backend older than the guest SDK was not rebuilt")
	}
}

func TestBackendErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := Backend(ctx, dir, be("backend/none.wasm")); !errors.Is(err, ErrNoBackend) {
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
	if got, err := Backend(ctx, dir, be("bin/x.wasm")); err != nil || got.Wasm != pre || got.Built || got.Toolchain != "" {
		t.Fatalf("prebuilt = %+v, %v", got, err)
	}
	for _, bad := range []string{"", "/abs/x.wasm", "../x.wasm"} {
		if _, err := Backend(ctx, dir, be(bad)); err == nil {
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
	_, err := Backend(ctx, dir, be("broken/b.wasm"))
	var berr *Error
	if !errors.As(err, &berr) {
		t.Fatalf("broken sources: %v, want a *build.Error", err)
	}
	want := Diagnostic{File: "broken/main.go", Line: 2, Column: 15, Message: "undefined: undefined"}
	if len(berr.Diagnostics) != 1 || berr.Diagnostics[0] != want {
		t.Fatalf("diagnostics = %+v, want [%+v]\n%s", berr.Diagnostics, want, berr.Output)
	}
	if !strings.Contains(err.Error(), "broken/main.go:2:15: undefined: undefined") {
		t.Errorf("error text %q does not name file:line:col", err)
	}
	if exists(filepath.Join(src, "b.wasm")) {
		t.Error("a failed build left a .wasm")
	}
	// A named toolchain that is not known, and one whose entry is missing.
	if _, err := Backend(ctx, dir, &manifest.Backend{Wasm: "broken/b.wasm", Toolchain: "rust"}); err == nil || !strings.Contains(err.Error(), `unknown toolchain "rust"`) {
		t.Errorf("unknown toolchain: %v", err)
	}
	if _, err := Backend(ctx, dir, &manifest.Backend{Wasm: "as/b.wasm", Toolchain: manifest.ToolchainAssemblyScript}); err == nil || !strings.Contains(err.Error(), "as/assembly/index.ts is missing") {
		t.Errorf("assemblyscript without an entry: %v", err)
	}
}
