package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, FileName), exampleJSON)
	m, err := Load(dir)
	if err != nil || m.ID != "com.example.notes" {
		t.Fatalf("Load = %+v, %v", m, err)
	}

	other := t.TempDir()
	writeFile(t, filepath.Join(other, "real.json"), exampleJSON)
	if err := os.Symlink(filepath.Join(other, "real.json"), filepath.Join(other, FileName)); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(other); !errors.Is(err, ErrNotRegular) {
		t.Errorf("Load(symlinked manifest) = %v, want ErrNotRegular", err)
	}

	asDir := t.TempDir()
	if err := os.Mkdir(filepath.Join(asDir, FileName), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(asDir); !errors.Is(err, ErrNotRegular) {
		t.Errorf("Load(manifest directory) = %v, want ErrNotRegular", err)
	}

	big := t.TempDir()
	writeFile(t, filepath.Join(big, FileName), exampleJSON+strings.Repeat(" ", MaxSize))
	if _, err := Load(big); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("Load(too large) = %v", err)
	}

	if _, err := Load(t.TempDir()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want not exist", err)
	}

	bad := t.TempDir()
	writeFile(t, filepath.Join(bad, FileName), "{\n  \"id\": 7\n}")
	var fe *FieldError
	if _, err := Load(bad); !errors.As(err, &fe) || fe.Field != "id" || fe.Line != 2 {
		t.Errorf("Load(bad) = %v", err)
	}
}

func TestCheckFiles(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	writeFile(t, filepath.Join(outside, "evil.html"), "x")
	writeFile(t, filepath.Join(outside, "evil.wasm"), "x")

	bundle := t.TempDir()
	writeFile(t, filepath.Join(bundle, "ui", "index.html"), "<!doctype html>")
	writeFile(t, filepath.Join(bundle, "backend", "notes.wasm"), "\x00asm")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Mkdir(filepath.Join(bundle, "dir.html"), 0o755))
	must(os.Symlink("index.html", filepath.Join(bundle, "ui", "alias.html")))
	must(os.Symlink(filepath.Join(outside, "evil.html"), filepath.Join(bundle, "ui", "escape.html")))
	must(os.Symlink("../../"+filepath.Base(outside)+"/evil.wasm", filepath.Join(bundle, "backend", "escape.wasm")))
	must(os.Symlink(outside, filepath.Join(bundle, "linkdir")))

	// The bundle itself reached through a symlink is fine.
	bundleLink := filepath.Join(t.TempDir(), "bundle")
	must(os.Symlink(bundle, bundleLink))

	tests := []struct {
		name, entry, wasm string
		field, msg        string
	}{
		{"ok", "ui/index.html", "backend/notes.wasm", "", ""},
		{"inside symlink", "ui/alias.html", "backend/notes.wasm", "", ""},
		{"missing entry", "ui/nope.html", "backend/notes.wasm", "ui.entry", "does not exist"},
		{"missing wasm", "ui/index.html", "backend/nope.wasm", "backend.wasm", "does not exist"},
		{"directory", "dir.html", "backend/notes.wasm", "ui.entry", "regular file"},
		{"symlink escape", "ui/escape.html", "backend/notes.wasm", "ui.entry", "outside the bundle"},
		{"relative symlink escape", "ui/index.html", "backend/escape.wasm", "backend.wasm", "outside the bundle"},
		{"symlinked dir escape", "linkdir/evil.html", "backend/notes.wasm", "ui.entry", "outside the bundle"},
		{"traversal", "../" + filepath.Base(outside) + "/evil.html", "backend/notes.wasm", "ui.entry", "inside the bundle"},
		{"absolute", filepath.Join(outside, "evil.html"), "backend/notes.wasm", "ui.entry", "relative"},
		{"backslash", "ui\\index.html", "backend/notes.wasm", "ui.entry", "forward slashes"},
		{"NUL", "ui/index.html\x00", "backend/notes.wasm", "ui.entry", "control"},
		{"unclean", "ui//index.html", "backend/notes.wasm", "ui.entry", "clean"},
	}
	for _, dir := range []string{bundle, bundleLink} {
		for _, tt := range tests {
			m := &Manifest{UI: &UI{Entry: tt.entry}, Backend: &Backend{Wasm: tt.wasm}}
			err := m.CheckFiles(dir)
			if tt.field == "" {
				if err != nil {
					t.Errorf("%s: CheckFiles = %v", tt.name, err)
				}
				continue
			}
			fe := findField(err, tt.field)
			if fe == nil || !strings.Contains(fe.Msg, tt.msg) {
				t.Errorf("%s: CheckFiles = %v, want %s error containing %q", tt.name, err, tt.field, tt.msg)
			}
		}
	}
	if err := (&Manifest{}).CheckFiles(bundle); err != nil {
		t.Errorf("no files to check: %v", err)
	}
	if err := (&Manifest{}).CheckFiles(filepath.Join(bundle, "missing")); err == nil {
		t.Error("missing bundle dir: no error")
	}
}
