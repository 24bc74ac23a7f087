// Package tsctest finds TypeScript's compiler for tests that type-check
// Warden's declarations and the pages that use them.
package tsctest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Path returns the tsc to run: $WARDEN_TSC, tsc on PATH, or the one
// scripts/setup.sh installs under $WARDEN_TOOLS_DIR (default
// ~/.cache/warden-tools). Without one the test fails when $CI is set and
// is skipped otherwise.
func Path(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("WARDEN_TSC"); p != "" {
		return p
	}
	if p, err := exec.LookPath("tsc"); err == nil {
		return p
	}
	dir := os.Getenv("WARDEN_TOOLS_DIR")
	if dir == "" {
		cache := os.Getenv("XDG_CACHE_HOME")
		if cache == "" {
			home, _ := os.UserHomeDir()
			cache = filepath.Join(home, ".cache")
		}
		dir = filepath.Join(cache, "warden-tools")
	}
	p := filepath.Join(dir, "typescript", "node_modules", ".bin", "tsc")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("no TypeScript compiler (looked for $WARDEN_TSC, tsc on $PATH and %s): run scripts/setup.sh", p)
	}
	t.Skipf("no TypeScript compiler (looked for $WARDEN_TSC, tsc on $PATH and %s): run scripts/setup.sh", p)
	return ""
}
