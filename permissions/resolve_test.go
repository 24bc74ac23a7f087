package permissions

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// realTemp returns a fresh temp dir with its own symlinks resolved.
func realTemp(t *testing.T) string {
	t.Helper()
	d, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func mustWrite(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustLink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func TestResolvePath(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("symlink layout is POSIX-specific")
	}
	base := realTemp(t)
	data := filepath.Join(base, "data")
	outside := filepath.Join(base, "outside")
	mustWrite(t, filepath.Join(data, "notes", "a.md"))
	mustWrite(t, filepath.Join(outside, "secret.txt"))
	mustLink(t, outside, filepath.Join(data, "escape"))
	mustLink(t, filepath.Join(outside, "secret.txt"), filepath.Join(data, "secret-link"))
	mustLink(t, "notes", filepath.Join(data, "rel"))
	mustLink(t, filepath.Join(outside, "new", "file.txt"), filepath.Join(data, "dangling"))
	mustLink(t, "../outside/later", filepath.Join(data, "dangling-rel"))
	mustLink(t, "loop2", filepath.Join(data, "loop1"))
	mustLink(t, "loop1", filepath.Join(data, "loop2"))
	// $DATA itself reached through a symlink.
	mustLink(t, data, filepath.Join(base, "data-link"))

	env := Env{VarData: data, VarHome: filepath.Join(base, "data-link")}
	tests := []struct {
		raw, want string
		err       bool
	}{
		{raw: "$DATA/notes/a.md", want: filepath.Join(data, "notes/a.md")},
		{raw: "$DATA", want: data},
		{raw: "$DATA/", want: data},
		{raw: "$DATA/notes/./a.md", want: filepath.Join(data, "notes/a.md")},
		{raw: data + "/notes/a.md", want: filepath.Join(data, "notes/a.md")},
		{raw: "$DATA/new.md", want: filepath.Join(data, "new.md")},
		{raw: "$DATA/x/y/z.md", want: filepath.Join(data, "x/y/z.md")},
		{raw: "$DATA/../../etc/passwd", want: filepath.Clean(filepath.Join(data, "../../etc/passwd"))},
		{raw: "$DATA/escape/secret.txt", want: filepath.Join(outside, "secret.txt")},
		{raw: "$DATA/escape/new.txt", want: filepath.Join(outside, "new.txt")},
		{raw: "$DATA/secret-link", want: filepath.Join(outside, "secret.txt")},
		{raw: "$DATA/rel/a.md", want: filepath.Join(data, "notes/a.md")},
		{raw: "$DATA/dangling", want: filepath.Join(outside, "new/file.txt")},
		{raw: "$DATA/dangling-rel/x", want: filepath.Join(outside, "later/x")},
		{raw: "$HOME/notes/a.md", want: filepath.Join(data, "notes/a.md")},
		{raw: "$HOME/notes/b.md", want: filepath.Join(data, "notes/b.md")},
		{raw: "$DATA/loop1", err: true},
		{raw: "$DATA/loop1/x", err: true},
		{raw: "$DATA/notes/a.md/x", err: true},
		{raw: "notes/a.md", err: true},
		{raw: "./a", err: true},
		{raw: "", err: true},
		{raw: "$DATA/a\x00b", err: true},
		{raw: "$TMP/x", err: true},
		{raw: "$DATAX/x", err: true},
		{raw: "$DOCUMENTS/x", err: true},
	}
	for _, tt := range tests {
		got, err := ResolvePath(env, tt.raw)
		if tt.err {
			if err == nil {
				t.Errorf("ResolvePath(%q) = %q, want error", tt.raw, got)
			} else if !errors.Is(err, ErrBadPath) {
				t.Errorf("ResolvePath(%q) error %v does not wrap ErrBadPath", tt.raw, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ResolvePath(%q) = %q, %v; want %q", tt.raw, got, err, tt.want)
		}
	}
}
