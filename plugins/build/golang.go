package build

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/wardenhq/warden/internal/atomicfile"
)

// guestSDKDir is the guest SDK's directory relative to Warden's module root;
// a change there makes the examples' backends stale.
const guestSDKDir = "sdk/guest"

// goToolchain builds a Go main package with GOOS=wasip1 GOARCH=wasm
// -buildmode=c-shared (its exports are //go:wasmexport functions).
type goToolchain struct{}

func (goToolchain) name() string { return "go" }

func (goToolchain) sources(src, wasm string) ([]string, error) {
	srcs, err := goFiles(src)
	if err != nil {
		return nil, err
	}
	root := moduleRoot(src)
	if root == "" {
		return srcs, nil
	}
	for _, f := range []string{"go.mod", "go.sum", "vendor/modules.txt"} {
		if p := filepath.Join(root, f); exists(p) {
			srcs = append(srcs, p)
		}
	}
	for _, d := range []string{filepath.Join(root, "vendor"), filepath.Join(root, filepath.FromSlash(guestSDKDir))} {
		more, err := filesUnder(d, ".go")
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, more...)
	}
	return srcs, nil
}

func (goToolchain) build(ctx context.Context, j job) error {
	if len(mustGoFiles(j.src)) == 0 {
		return fmt.Errorf("toolchain go: no .go files in %s", rel(j.root, j.src))
	}
	return Package(ctx, j.src, j.wasm, j.root)
}

// Package builds the Go package in pkgDir to the WebAssembly module out,
// unconditionally (same flags as Backend). Diagnostics name files relative
// to base (pkgDir when base is ""). Tests use it to build guests into
// temporary directories.
func Package(ctx context.Context, pkgDir, out, base string) error {
	abs, err := filepath.Abs(out)
	if err != nil {
		return fmt.Errorf("build %s: %w", pkgDir, err)
	}
	pkg, err := filepath.Abs(pkgDir)
	if err != nil {
		return fmt.Errorf("build %s: %w", pkgDir, err)
	}
	if base == "" {
		base = pkg
	}
	return atomicfile.Produce(abs, 0o644, func(tmp string) error {
		cmd := exec.CommandContext(ctx, GoTool(), "build", "-buildmode=c-shared", "-trimpath", "-o", tmp, ".")
		cmd.Dir = pkg
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
		var out bytes.Buffer
		cmd.Stdout = &out
		cmd.Stderr = &out
		if err := cmd.Run(); err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("go build: %w", ctx.Err())
			}
			return compileError("go", err, out.String(), goDiagnostics(out.String(), pkg, base))
		}
		return nil
	})
}

// GoTool returns the go command to run: the one on PATH, else the one
// under $GOROOT.
func GoTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	if r := os.Getenv("GOROOT"); r != "" {
		return filepath.Join(r, "bin", "go")
	}
	return "go"
}

// goFiles lists the .go files directly in dir (a missing dir has none).
func goFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".go") {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	return files, nil
}

func mustGoFiles(dir string) []string {
	f, _ := goFiles(dir)
	return f
}

// moduleRoot returns the nearest directory at or above dir holding go.mod.
func moduleRoot(dir string) string {
	for {
		if exists(filepath.Join(dir, "go.mod")) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
