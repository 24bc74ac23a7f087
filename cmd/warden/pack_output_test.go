package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPackCreatesOutputDirectory: pack -o into a directory that does not
// exist yet creates it, as build tools do.
func TestPackCreatesOutputDirectory(t *testing.T) {
	out := filepath.Join(t.TempDir(), "dist", "release", "hello.wbundle")
	stdout, _, err := runWarden(t, "pack", helloTiny(t), "-o", out)
	if err != nil {
		t.Fatalf("pack -o %s: %v", out, err)
	}
	if fi, err := os.Stat(out); err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("no bundle at %s: %v", out, err)
	}
	if !strings.Contains(stdout, "bundle: "+out) {
		t.Errorf("pack did not name the bundle it wrote:\n%s", stdout)
	}
}

// TestPackWriteErrorNamesOutput: when the bundle cannot be written, the
// error names the path the user gave, never the temporary file pack
// writes first.
func TestPackWriteErrorNamesOutput(t *testing.T) {
	hello := helloTiny(t)
	dir := t.TempDir()
	// A directory where the bundle should go: the rename into place fails.
	taken := filepath.Join(dir, "taken.wbundle")
	if err := os.MkdirAll(filepath.Join(taken, "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	// A file where the output directory should be.
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{taken, filepath.Join(file, "x.wbundle")} {
		_, _, err := runWarden(t, "pack", hello, "-o", out)
		if err == nil {
			t.Fatalf("pack -o %s succeeded", out)
		}
		if !strings.Contains(err.Error(), out) || strings.Contains(err.Error(), ".tmp") {
			t.Errorf("pack -o %s: %v\nwant an error naming %s and no temporary file", out, err, out)
		}
	}
}
