// Package build compiles the backends of Warden plugins to WebAssembly with
// the toolchain their manifest names: Go (GOOS=wasip1), AssemblyScript (asc
// from npm) or JavaScript (Extism's extism-js).
//
// Every build writes the .wasm atomically (a reader never sees half a
// module) and is skipped when the .wasm is newer than every source. A
// compiler's complaints come back as an *Error whose diagnostics name the
// file (relative to the plugin directory), line and column.
package build

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/wardenhq/warden/manifest"
)

// ErrNoBackend reports a plugin whose backend has neither sources nor a built .wasm.
var ErrNoBackend = errors.New("no backend sources and no built wasm")

// ErrToolMissing reports a toolchain whose compiler is not installed; the
// error's text says how to install it.
var ErrToolMissing = errors.New("compiler not installed")

// Result is what Backend did.
type Result struct {
	// Wasm is the module's absolute path.
	Wasm string
	// Toolchain is the toolchain used: manifest.ToolchainGo and so on, or ""
	// when the plugin has no sources and Wasm was used as it is.
	Toolchain string
	// Built is false when the .wasm was already newer than its sources.
	Built bool
}

// Backend builds the backend b of the plugin in dir. The sources are in the
// directory holding b.Wasm (backend/hello.wasm is built from backend/), and
// b.Toolchain says how; empty means Go when that directory holds .go files,
// else the .wasm is used as it is. The build is skipped when the .wasm is
// newer than every source (for Go also the enclosing module's go.mod,
// go.sum, vendor/ and sdk/guest). With no sources the existing .wasm is
// returned; with neither, the error wraps ErrNoBackend. A cold Go build of a
// small backend takes a few seconds, an AssemblyScript one about as long
// (plus `npm install` the first time), a no-op build a few stat calls.
func Backend(ctx context.Context, dir string, b *manifest.Backend) (Result, error) {
	return backend(ctx, dir, b, false)
}

// Rebuild is Backend without the freshness check: it always compiles when
// there are sources.
func Rebuild(ctx context.Context, dir string, b *manifest.Backend) (Result, error) {
	return backend(ctx, dir, b, true)
}

func backend(ctx context.Context, dir string, b *manifest.Backend, force bool) (Result, error) {
	if b == nil {
		return Result{}, fmt.Errorf("build backend: the manifest has no backend")
	}
	wasmRel := b.Wasm
	if wasmRel == "" || filepath.IsAbs(wasmRel) || !filepath.IsLocal(filepath.FromSlash(wasmRel)) {
		return Result{}, fmt.Errorf("build backend: wasm path %q must be relative and inside the plugin", wasmRel)
	}
	root, err := filepath.Abs(dir)
	if err != nil {
		return Result{}, fmt.Errorf("build backend: %w", err)
	}
	wasm := filepath.Join(root, filepath.FromSlash(wasmRel))
	src := filepath.Dir(wasm)
	tc, err := toolchainFor(b.Toolchain, src)
	if err != nil {
		return Result{}, fmt.Errorf("build backend %s: %w", wasmRel, err)
	}
	wasmInfo, statErr := os.Stat(wasm)
	if tc == nil {
		if statErr != nil {
			return Result{}, fmt.Errorf("build backend %s: %w", wasmRel, ErrNoBackend)
		}
		return Result{Wasm: wasm}, nil
	}
	res := Result{Wasm: wasm, Toolchain: tc.name()}
	if statErr == nil && !force {
		srcs, err := tc.sources(src, wasm)
		if err != nil {
			return Result{}, fmt.Errorf("build backend %s: %w", wasmRel, err)
		}
		fresh, err := newerThan(wasmInfo.ModTime(), srcs)
		if err != nil {
			return Result{}, fmt.Errorf("build backend %s: %w", wasmRel, err)
		}
		if fresh {
			return res, nil
		}
	}
	if err := tc.build(ctx, job{root: root, src: src, wasm: wasm}); err != nil {
		return Result{}, fmt.Errorf("build backend %s: %w", wasmRel, err)
	}
	res.Built = true
	return res, nil
}

// job is one build: the plugin's root, the backend's source directory and
// the .wasm to produce (all absolute).
type job struct {
	root, src, wasm string
}

// toolchain is one way of turning sources into a .wasm.
type toolchain interface {
	name() string
	// sources lists the files whose change makes wasm stale.
	sources(src, wasm string) ([]string, error)
	build(ctx context.Context, j job) error
}

// toolchainFor picks the toolchain: the manifest's, or Go when src holds .go
// files, or nil (use the .wasm as it is).
func toolchainFor(named, src string) (toolchain, error) {
	switch named {
	case manifest.ToolchainGo:
		return goToolchain{}, nil
	case manifest.ToolchainAssemblyScript:
		return ascToolchain{}, nil
	case manifest.ToolchainJS:
		return jsToolchain{}, nil
	case "":
		srcs, err := goFiles(src)
		if err != nil {
			return nil, err
		}
		if len(srcs) > 0 {
			return goToolchain{}, nil
		}
		return nil, nil
	}
	return nil, fmt.Errorf("unknown toolchain %q (known: go, assemblyscript, js)", named)
}
