// Package webext builds and finds Warden's WebKit web process extension,
// libwarden-webext.so (C source in src/).
//
// The extension gives each plugin's isolation frame a direct channel to the
// core, so an invoke crosses one process boundary each way instead of two
// (see src/warden-webext.c). Without it the webview process relays
// envelopes itself: everything works, each invoke costs about two more
// thread wake-ups. The extension is a separate shared object because WebKit
// loads extensions with dlopen from a directory; the Go binary cannot be
// that object.
package webext

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/wardenhq/warden/internal/atomicfile"
)

// FileName is the extension's file name inside its directory.
const FileName = "libwarden-webext.so"

// EnvDir names the environment variable that points the webview process
// at the directory holding FileName. Set to "off", the extension is not
// used.
const EnvDir = "WARDEN_WEBEXT_DIR"

//go:embed src/warden-webext.c
var source []byte

// Source returns the extension's C source.
func Source() []byte { return bytes.Clone(source) }

// Build compiles the extension into dir/FileName with cc (default "cc")
// and pkg-config's flags for webkit2gtk-web-extension-4.1, replacing any
// earlier build atomically and durably (see [atomicfile]). It takes about
// a second.
func Build(ctx context.Context, dir string) (string, error) {
	flags, err := exec.CommandContext(ctx, "pkg-config", "--cflags", "--libs", "webkit2gtk-web-extension-4.1").Output()
	if err != nil {
		return "", fmt.Errorf("build web extension: pkg-config webkit2gtk-web-extension-4.1 (install libwebkit2gtk-4.1-dev): %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("build web extension: %w", err)
	}
	out := filepath.Join(dir, FileName)
	cc := os.Getenv("CC")
	if cc == "" {
		cc = "cc"
	}
	err = atomicfile.Produce(out, 0o755, func(tmp string) error {
		// The source goes in on standard input ("-x c -"), so nothing but
		// the extension is ever written to dir, which WebKit loads every
		// .so of; the temporary file's name does not end in .so.
		args := append([]string{"-shared", "-fPIC", "-O2", "-Wall", "-o", tmp, "-x", "c", "-", "-x", "none"}, strings.Fields(string(flags))...)
		cmd := exec.CommandContext(ctx, cc, args...)
		cmd.Stdin = bytes.NewReader(source)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s: %w: %s", cc, err, strings.TrimSpace(stderr.String()))
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("build web extension: %w", err)
	}
	return out, nil
}

// ErrNotFound reports that no extension directory was found.
var ErrNotFound = errors.New("web extension not found")

// Dir returns the directory holding the extension for the executable exe:
// $WARDEN_WEBEXT_DIR when set, else exe's directory's webext/, else
// ../lib/warden/webext/ beside it. It returns ErrNotFound when none holds
// FileName, or when $WARDEN_WEBEXT_DIR is "off".
func Dir(exe string) (string, error) {
	if d, ok := os.LookupEnv(EnvDir); ok && d != "" {
		if d == "off" {
			return "", fmt.Errorf("%w: %s=off", ErrNotFound, EnvDir)
		}
		if !isFile(filepath.Join(d, FileName)) {
			return "", fmt.Errorf("%w: %s=%s has no %s", ErrNotFound, EnvDir, d, FileName)
		}
		return filepath.Abs(d)
	}
	base := filepath.Dir(exe)
	for _, d := range []string{filepath.Join(base, "webext"), filepath.Join(base, "..", "lib", "warden", "webext")} {
		if isFile(filepath.Join(d, FileName)) {
			return filepath.Abs(d)
		}
	}
	return "", fmt.Errorf("%w beside %s (build it with make build, or set %s)", ErrNotFound, exe, EnvDir)
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}
