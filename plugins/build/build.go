// Package build compiles the Go backends of Warden plugins to WebAssembly.
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
	"time"

	"github.com/wardenhq/warden/internal/atomicfile"
)

// ErrNoBackend reports a plugin whose backend has neither Go sources nor a built .wasm.
var ErrNoBackend = errors.New("no backend sources and no built wasm")

// guestSDKDir is the guest SDK's directory relative to the module root; a change there
// makes every backend stale.
const guestSDKDir = "sdk/guest"

// Backend builds the Go backend of the plugin in dir when its sources exist: the Go
// package is the directory holding wasmRel (the manifest's backend.wasm path, e.g.
// backend/hello.wasm is built from the package in backend/). It runs `go build
// -buildmode=c-shared -trimpath -o <wasm>` with GOOS=wasip1 GOARCH=wasm CGO_ENABLED=0
// and returns the wasm path. The build is skipped when the .wasm is newer than every .go
// file of the package and of the module's sdk/guest. With no sources the existing .wasm
// is returned; with neither, the error wraps ErrNoBackend. A cold build of a small
// backend takes a few seconds.
func Backend(ctx context.Context, dir string, wasmRel string) (string, error) {
	if wasmRel == "" || filepath.IsAbs(wasmRel) || !filepath.IsLocal(filepath.FromSlash(wasmRel)) {
		return "", fmt.Errorf("build backend: wasm path %q must be relative and inside the plugin", wasmRel)
	}
	wasm, err := filepath.Abs(filepath.Join(dir, filepath.FromSlash(wasmRel)))
	if err != nil {
		return "", fmt.Errorf("build backend: %w", err)
	}
	pkg := filepath.Dir(wasm)
	srcs, err := goFiles(pkg)
	if err != nil {
		return "", fmt.Errorf("build backend: %w", err)
	}
	wasmInfo, statErr := os.Stat(wasm)
	if len(srcs) == 0 {
		if statErr != nil {
			return "", fmt.Errorf("build backend %s: %w", wasmRel, ErrNoBackend)
		}
		return wasm, nil
	}
	if statErr == nil {
		fresh, err := upToDate(wasmInfo.ModTime(), pkg, srcs)
		if err != nil {
			return "", fmt.Errorf("build backend: %w", err)
		}
		if fresh {
			return wasm, nil
		}
	}
	if err := goBuild(ctx, pkg, wasm); err != nil {
		return "", fmt.Errorf("build backend %s: %w", wasmRel, err)
	}
	return wasm, nil
}

// Package builds the Go package in pkgDir to the WebAssembly module out, unconditionally
// (same flags as Backend). Tests use it to build guests into temporary directories.
func Package(ctx context.Context, pkgDir, out string) error {
	abs, err := filepath.Abs(out)
	if err != nil {
		return fmt.Errorf("build %s: %w", pkgDir, err)
	}
	if err := goBuild(ctx, pkgDir, abs); err != nil {
		return fmt.Errorf("build %s: %w", pkgDir, err)
	}
	return nil
}

// goBuild runs the Go toolchain in pkg, writing wasm (mode 0644) atomically
// and durably: it builds into a temporary file beside wasm and renames it
// into place, so a reader (or a concurrent build of the same plugin) never
// sees a half-written module.
func goBuild(ctx context.Context, pkg, wasm string) error {
	return atomicfile.Produce(wasm, 0o644, func(tmp string) error {
		cmd := exec.CommandContext(ctx, GoTool(), "build", "-buildmode=c-shared", "-trimpath", "-o", tmp, ".")
		cmd.Dir = pkg
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
		var out bytes.Buffer
		cmd.Stdout = &out
		cmd.Stderr = &out
		if err := cmd.Run(); err != nil {
			msg := strings.TrimSpace(out.String())
			if msg == "" {
				return fmt.Errorf("go build: %w", err)
			}
			return fmt.Errorf("go build: %w\n%s", err, msg)
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

// upToDate reports whether built is newer than every source of the backend package and
// of the guest SDK in the enclosing module (when there is one).
func upToDate(built time.Time, pkg string, srcs []string) (bool, error) {
	if root := moduleRoot(pkg); root != "" {
		sdk, err := goFiles(filepath.Join(root, filepath.FromSlash(guestSDKDir)))
		if err != nil {
			return false, err
		}
		srcs = append(srcs, sdk...)
		// A changed go.mod (a new SDK version) also makes the binary stale.
		srcs = append(srcs, filepath.Join(root, "go.mod"))
	}
	for _, f := range srcs {
		info, err := os.Stat(f)
		if err != nil {
			return false, err
		}
		if !built.After(info.ModTime()) {
			return false, nil
		}
	}
	return true, nil
}

// moduleRoot returns the nearest directory at or above dir holding go.mod.
func moduleRoot(dir string) string {
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
