package files

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// tempDir returns a fresh directory with symlinks resolved, as the
// permission layer would hand paths over.
func tempDir(t *testing.T) string {
	t.Helper()
	d, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestReadWrite(t *testing.T) {
	t.Parallel()
	dir := tempDir(t)
	ctx := context.Background()
	p := filepath.Join(dir, "note.md")
	tests := [][]byte{[]byte("first"), {}, bytes.Repeat([]byte("ab"), 3<<20)}
	for _, data := range tests {
		if err := Write(ctx, p, data, 0); err != nil {
			t.Fatal(err)
		}
		got, err := Read(ctx, p, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, data) {
			t.Fatalf("read %d bytes, wrote %d", len(got), len(data))
		}
	}
	if names := listDir(t, dir); len(names) != 1 || names[0] != "note.md" {
		t.Fatalf("directory holds %v, want only note.md", names)
	}
}

func TestWriteKeepsMode(t *testing.T) {
	t.Parallel()
	dir := tempDir(t)
	p := filepath.Join(dir, "f")
	if err := os.WriteFile(p, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0o4640); err != nil { // setuid must not survive
		t.Fatal(err)
	}
	if err := Write(context.Background(), p, []byte("new"), 0); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode() != 0o640 {
		t.Fatalf("mode = %v, want -rw-r-----", st.Mode())
	}
}

func TestWriteReplacesAtomically(t *testing.T) {
	t.Parallel()
	dir := tempDir(t)
	p := filepath.Join(dir, "f")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A reader holding the old file keeps the old content: the new content
	// arrives as a new inode by rename, never by truncating in place.
	held, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	before, _ := os.Stat(p)
	if err := Write(context.Background(), p, []byte("new content"), 0); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(p)
	if os.SameFile(before, after) {
		t.Fatal("file was rewritten in place")
	}
	old := make([]byte, 16)
	n, _ := held.Read(old)
	if string(old[:n]) != "old" {
		t.Fatalf("held file reads %q", old[:n])
	}
}

func TestSymlinkRefused(t *testing.T) {
	t.Parallel()
	dir := tempDir(t)
	ctx := context.Background()
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(ctx, link, 0); !errors.Is(err, ErrSymlink) {
		t.Fatalf("Read symlink err = %v, want ErrSymlink", err)
	}
	if err := Write(ctx, link, []byte("x"), 0); !errors.Is(err, ErrSymlink) {
		t.Fatalf("Write symlink err = %v, want ErrSymlink", err)
	}
	dangling := filepath.Join(dir, "dangling")
	if err := os.Symlink(filepath.Join(dir, "nowhere"), dangling); err != nil {
		t.Fatal(err)
	}
	if err := Write(ctx, dangling, []byte("x"), 0); !errors.Is(err, ErrSymlink) {
		t.Fatalf("Write dangling symlink err = %v, want ErrSymlink", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "nowhere")); !os.IsNotExist(err) {
		t.Fatal("write went through a dangling symlink")
	}
	if b, _ := os.ReadFile(target); string(b) != "secret" {
		t.Fatalf("target changed to %q", b)
	}

	// A symlinked directory in the middle of the path is refused as well:
	// the path was resolved before the decision, so a link means it changed.
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sub, "f"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	linkdir := filepath.Join(dir, "linkdir")
	if err := os.Symlink(sub, linkdir); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(ctx, filepath.Join(linkdir, "f"), 0); !errors.Is(err, ErrSymlink) {
		t.Fatalf("Read through symlinked dir err = %v, want ErrSymlink", err)
	}
	if err := Write(ctx, filepath.Join(linkdir, "g"), []byte("x"), 0); !errors.Is(err, ErrSymlink) {
		t.Fatalf("Write through symlinked dir err = %v, want ErrSymlink", err)
	}
	if _, err := os.Lstat(filepath.Join(sub, "g")); !os.IsNotExist(err) {
		t.Fatal("write went through a symlinked directory")
	}
}

func TestNotRegularRefused(t *testing.T) {
	t.Parallel()
	dir := tempDir(t)
	ctx := context.Background()
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{sub, fifo} {
		if _, err := Read(ctx, p, 0); !errors.Is(err, ErrNotRegular) {
			t.Errorf("Read %s err = %v, want ErrNotRegular", p, err)
		}
		if err := Write(ctx, p, []byte("x"), 0); !errors.Is(err, ErrNotRegular) {
			t.Errorf("Write %s err = %v, want ErrNotRegular", p, err)
		}
	}
	if _, err := Read(ctx, "/dev/null", 0); !errors.Is(err, ErrNotRegular) {
		t.Errorf("Read /dev/null err = %v, want ErrNotRegular", err)
	}
	if names := listDir(t, dir); len(names) != 2 {
		t.Fatalf("temp files left behind: %v", names)
	}
}

func TestTooLarge(t *testing.T) {
	t.Parallel()
	dir := tempDir(t)
	ctx := context.Background()
	p := filepath.Join(dir, "f")
	if err := os.WriteFile(p, make([]byte, 100), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(ctx, p, 99); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Read err = %v, want ErrTooLarge", err)
	}
	if b, err := Read(ctx, p, 100); err != nil || len(b) != 100 {
		t.Fatalf("Read at the cap: %d bytes, %v", len(b), err)
	}
	if err := Write(ctx, p, make([]byte, 11), 10); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Write err = %v, want ErrTooLarge", err)
	}
	if err := Write(ctx, p, make([]byte, 10), 10); err != nil {
		t.Fatalf("Write at the cap: %v", err)
	}
}

// lateCancel is a context that reports cancellation from its n-th Err call
// on, so a Write fails after its temporary file exists.
type lateCancel struct {
	context.Context
	calls, n int
}

func (c *lateCancel) Err() error {
	c.calls++
	if c.calls >= c.n {
		return context.Canceled
	}
	return nil
}

func TestWriteFailureLeavesNoTemp(t *testing.T) {
	t.Parallel()
	dir := tempDir(t)
	ctx := context.Background()
	if err := Write(ctx, filepath.Join(dir, "missing", "f"), []byte("x"), 0); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing parent err = %v", err)
	}
	p := filepath.Join(dir, "f")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Fail at each context check: before the temp file, while writing,
	// and just before the rename.
	for n := 1; n <= 3; n++ {
		err := Write(&lateCancel{Context: ctx, n: n}, p, []byte("new"), 0)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancel at check %d: err = %v", n, err)
		}
		if names := listDir(t, dir); len(names) != 1 || names[0] != "f" {
			t.Fatalf("cancel at check %d: directory holds %v, want only f", n, names)
		}
		if b, _ := os.ReadFile(p); string(b) != "old" {
			t.Fatalf("cancel at check %d: content changed to %q", n, b)
		}
	}
	if err := Write(&lateCancel{Context: ctx, n: 4}, p, []byte("new"), 0); err != nil {
		t.Fatalf("write with all checks passing: %v", err)
	}
}

func TestBadPaths(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, p := range []string{"", "rel/path", "/a/../b", "/a/", "/", "/a//b"} {
		if _, err := Read(ctx, p, 0); !errors.Is(err, ErrBadPath) {
			t.Errorf("Read(%q) err = %v, want ErrBadPath", p, err)
		}
		if err := Write(ctx, p, nil, 0); !errors.Is(err, ErrBadPath) {
			t.Errorf("Write(%q) err = %v, want ErrBadPath", p, err)
		}
	}
}

func TestReadMissing(t *testing.T) {
	t.Parallel()
	_, err := Read(context.Background(), filepath.Join(tempDir(t), "nope"), 0)
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want not exist", err)
	}
}

func TestLongName(t *testing.T) {
	t.Parallel()
	dir := tempDir(t)
	p := filepath.Join(dir, strings.Repeat("n", 255))
	if err := Write(context.Background(), p, []byte("x"), 0); err != nil {
		t.Fatalf("write to a NAME_MAX name: %v", err)
	}
}
