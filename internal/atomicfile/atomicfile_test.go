package atomicfile

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// wantFile fails t unless path holds content with mode perm.
func wantFile(t *testing.T, path, content string, perm fs.FileMode) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != content {
		t.Errorf("%s holds %q, want %q", path, b, content)
	}
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm() != perm {
		t.Errorf("%s has mode %v, want a regular file with %v", path, fi.Mode(), perm)
	}
}

// wantOnly fails t unless dir holds exactly names (so no temporary file
// is left behind).
func wantOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(entries, names, func(e os.DirEntry, name string) bool { return e.Name() == name }) {
		t.Errorf("%s holds %v, want %q", dir, entries, names)
	}
}

func TestWriteFileReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.json")
	if err := WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	wantFile(t, path, "old", 0o644)
	// The mode is set exactly, whatever the umask, and changes with the
	// new file.
	if err := WriteFile(path, []byte("new content"), 0o600); err != nil {
		t.Fatal(err)
	}
	wantFile(t, path, "new content", 0o600)
	if err := WriteFile(path, nil, 0o666); err != nil {
		t.Fatal(err)
	}
	wantFile(t, path, "", 0o666)
	wantOnly(t, dir, "config.json")
}

func TestWriteFileMissingDirectory(t *testing.T) {
	err := WriteFile(filepath.Join(t.TempDir(), "no", "such", "file"), []byte("x"), 0o644)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("got %v, want fs.ErrNotExist", err)
	}
}

// Every file-system error names the path the caller gave, never the
// temporary file: creating it, writing it, and moving it into place.
func TestErrorsNameTarget(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "a-directory"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a-directory", "inside"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	closed := func(f *os.File) error { f.Close(); _, err := f.Write([]byte("x")); return err }
	tests := []struct {
		name string
		path string
		op   string
		want error
		do   func(path string) error
	}{
		{"missing directory", filepath.Join(dir, "no", "such", "file"), "create", fs.ErrNotExist,
			func(p string) error { return WriteFile(p, []byte("x"), 0o644) }},
		{"rename over a directory", filepath.Join(dir, "a-directory"), "rename", nil,
			func(p string) error { return WriteFile(p, []byte("x"), 0o644) }},
		{"link over a directory", filepath.Join(dir, "a-directory"), "link", fs.ErrExist,
			func(p string) error { return WriteNew(p, []byte("x"), 0o644) }},
		{"write to the file fails", filepath.Join(dir, "f"), "write", fs.ErrClosed,
			func(p string) error { return Write(p, 0o644, closed) }},
		{"produce in a missing directory", filepath.Join(dir, "no", "bin"), "create", fs.ErrNotExist,
			func(p string) error { return Produce(p, 0o755, func(string) error { return nil }) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do(tt.path)
			pe, ok := errors.AsType[*fs.PathError](err)
			if !ok || pe.Path != tt.path || pe.Op != tt.op || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("got %#v (%v), want a %s *fs.PathError naming %s", err, err, tt.op, tt.path)
			}
			if strings.Contains(err.Error(), ".tmp") {
				t.Errorf("error names the temporary file: %v", err)
			}
		})
	}
	wantOnly(t, dir, "a-directory")
}

func TestWriteFailureLeavesOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bundle")
	if err := WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(path, 0o600, func(f *os.File) error {
		if _, err := f.Write([]byte("half of the new")); err != nil {
			return err
		}
		return boom
	})
	if err != boom {
		t.Fatalf("got %v, want the fill function's error as it is", err)
	}
	wantFile(t, path, "old", 0o644)
	wantOnly(t, dir, "bundle")
}

func TestWriteReadsBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	err := Write(path, 0o644, func(f *os.File) error {
		if _, err := f.Write([]byte("hello")); err != nil {
			return err
		}
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		buf := make([]byte, fi.Size())
		if _, err := f.ReadAt(buf, 0); err != nil || string(buf) != "hello" {
			t.Errorf("read back %q, %v", buf, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	wantFile(t, path, "hello", 0o644)
}

func TestWriteFileReplacesSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("target"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(link, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	wantFile(t, link, "new", 0o644)
	wantFile(t, target, "target", 0o644)
}

func TestWriteNew(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "key")
	if err := WriteNew(path, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	wantFile(t, path, "secret", 0o600)
	if err := WriteNew(path, []byte("other"), 0o600); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second WriteNew: %v, want fs.ErrExist", err)
	}
	wantFile(t, path, "secret", 0o600)
	// A dangling symlink is a name that exists too.
	dangling := filepath.Join(dir, "dangling")
	if err := os.Symlink(filepath.Join(dir, "nowhere"), dangling); err != nil {
		t.Fatal(err)
	}
	if err := WriteNew(dangling, []byte("x"), 0o600); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("WriteNew over a dangling symlink: %v, want fs.ErrExist", err)
	}
	wantOnly(t, dir, "dangling", "key")
}

func TestProduce(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.wasm")
	if err := WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Like a compiler, replace the file at tmp rather than write into it.
	err := Produce(path, 0o755, func(tmp string) error {
		if fi, err := os.Stat(tmp); err != nil || fi.Size() != 0 {
			t.Errorf("tmp is not an empty file: %v, %v", fi, err)
		}
		other := tmp + ".build"
		if err := os.WriteFile(other, []byte("built"), 0o600); err != nil {
			return err
		}
		return os.Rename(other, tmp)
	})
	if err != nil {
		t.Fatal(err)
	}
	wantFile(t, path, "built", 0o755)
	wantOnly(t, dir, "out.wasm")

	boom := errors.New("compiler failed")
	err = Produce(path, 0o755, func(tmp string) error {
		os.WriteFile(tmp, []byte("partial"), 0o644)
		return boom
	})
	if err != boom {
		t.Fatalf("got %v, want the produce function's error", err)
	}
	wantFile(t, path, "built", 0o755)
	wantOnly(t, dir, "out.wasm")

	// A produce function that removes its output is an error, not an
	// empty file.
	err = Produce(path, 0o644, os.Remove)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("got %v, want fs.ErrNotExist", err)
	}
	wantFile(t, path, "built", 0o755)
	wantOnly(t, dir, "out.wasm")
}

func TestRename(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	pending := filepath.Join(dir, "index.json.pending")
	if err := WriteFile(pending, []byte("index"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Rename(pending, filepath.Join(sub, "index.json")); err != nil {
		t.Fatal(err)
	}
	wantFile(t, filepath.Join(sub, "index.json"), "index", 0o644)
	wantOnly(t, dir, "sub")
	if err := Rename(pending, filepath.Join(dir, "x")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("renaming a missing file: %v, want fs.ErrNotExist", err)
	}
}

func TestSyncDir(t *testing.T) {
	if err := SyncDir(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	if err := SyncDir(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("got %v, want fs.ErrNotExist", err)
	}
}

func TestWriteLargeFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "large")
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	if err := WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes, %v", len(got), err)
	}
}
