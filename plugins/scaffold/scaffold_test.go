package scaffold

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wardenhq/warden/internal/tsctest"
	"github.com/wardenhq/warden/manifest"
	"github.com/wardenhq/warden/plugins/build"
)

func TestNewEveryBackend(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		backend string
		want    []string
	}{
		{manifest.ToolchainGo, []string{"backend/go.mod", "backend/main.go", "backend/main_test.go", "backend/vendor/modules.txt", "backend/vendor/github.com/wardenhq/warden/sdk/guest/guest.go"}},
		{manifest.ToolchainAssemblyScript, []string{"backend/package.json", "backend/asconfig.json", "backend/assembly/index.ts", "backend/assembly/warden.ts"}},
		{manifest.ToolchainJS, []string{"backend/src/index.js", "backend/src/index.d.ts"}},
	} {
		t.Run(tc.backend, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "My Tool")
			files, err := New(dir, Options{Backend: tc.backend, HostVersion: "0.1.0"})
			if err != nil {
				t.Fatal(err)
			}
			common := []string{"manifest.json", "README.md", ".gitignore", "jsconfig.json", "icons/16.png", "icons/48.png", "icons/128.png", "ui/index.html", "ui/app.js", "ui/style.css", "ui/warden.d.ts", "ui/warden-backend.d.ts"}
			for _, f := range append(common, tc.want...) {
				if !slices.Contains(files, f) {
					t.Errorf("%s not reported as written", f)
				}
				if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f))); err != nil {
					t.Error(err)
				}
			}
			m, err := manifest.Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			if m.ID != "local.my-tool" || m.Name != "My Tool" || m.Backend.Toolchain != tc.backend || m.Host != ">=0.1.0 <1.0.0" {
				t.Errorf("manifest = %s %q %s %q", m.ID, m.Name, m.Backend.Toolchain, m.Host)
			}
			if err := m.CheckFiles(dir); err == nil {
				t.Error("CheckFiles passed before the backend was built")
			}
			leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".*"))
			if len(leftovers) > 0 {
				t.Errorf("temporary directories left: %v", leftovers)
			}
		})
	}
}

// TestNewGoBuildsOffline builds the Go scaffold with the module proxy off,
// and runs the test it ships with.
func TestNewGoBuildsOffline(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "offline")
	if _, err := New(dir, Options{HostVersion: "0.1.0"}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOFLAGS", "")
	m, err := manifest.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	res, err := build.Backend(context.Background(), dir, m.Backend)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Built || res.Toolchain != manifest.ToolchainGo {
		t.Errorf("build = %+v", res)
	}
	if err := m.CheckFiles(dir); err != nil {
		t.Errorf("after the build: %v", err)
	}
	cmd := exec.Command(build.GoTool(), "test", "./...")
	cmd.Dir = filepath.Join(dir, "backend")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the scaffold's own test: %v\n%s", err, out)
	}
}

func TestNewRefuses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	keep := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(keep, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := New(dir, Options{HostVersion: "0.1.0"}); !errors.Is(err, ErrExists) {
		t.Fatalf("non-empty dir: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("a refused New changed the directory: %v", entries)
	}
	if _, err := New(filepath.Join(dir, "x"), Options{Backend: "rust", HostVersion: "0.1.0"}); err == nil || !strings.Contains(err.Error(), `unknown backend "rust"`) {
		t.Errorf("unknown backend: %v", err)
	}
	if _, err := New(filepath.Join(dir, "y"), Options{ID: "Not An ID", HostVersion: "0.1.0"}); err == nil || !strings.Contains(err.Error(), "id") {
		t.Errorf("bad id: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "y")); !errors.Is(err, os.ErrNotExist) {
		t.Error("a refused New left its directory")
	}
}

// TestNewTypeChecks: the new page type-checks against warden.d.ts and the
// backend's declarations as written, and a misspelt backend command does
// not.
func TestNewTypeChecks(t *testing.T) {
	tsc := tsctest.Path(t)
	dir := filepath.Join(t.TempDir(), "typed")
	if _, err := New(dir, Options{HostVersion: "0.1.0"}); err != nil {
		t.Fatal(err)
	}
	check := func() (string, bool) {
		cmd := exec.Command(tsc, "-p", filepath.Join(dir, "jsconfig.json"))
		out, err := cmd.CombinedOutput()
		return string(out), err == nil
	}
	if out, ok := check(); !ok {
		t.Fatalf("the new page does not type-check:\n%s", out)
	}
	app := filepath.Join(dir, "ui", "app.js")
	b, err := os.ReadFile(app)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(app, []byte(strings.ReplaceAll(string(b), `"backend.greet"`, `"backend.gret"`)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, ok := check(); ok || !strings.Contains(out, `"backend.gret"`) {
		t.Fatalf("a misspelt backend command type-checked:\n%s", out)
	}
}
