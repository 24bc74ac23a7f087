package watch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func write(t *testing.T, root, rel, body string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// next waits for one batch.
func next(t *testing.T, w *Watcher) []string {
	t.Helper()
	select {
	case b, ok := <-w.Changes():
		if !ok {
			t.Fatalf("watcher stopped: %v", w.Err())
		}
		return b
	case <-time.After(5 * time.Second):
		t.Fatal("no batch of changes")
		return nil
	}
}

// none checks that no batch comes within d.
func none(t *testing.T, w *Watcher, d time.Duration) {
	t.Helper()
	select {
	case b := <-w.Changes():
		t.Fatalf("unexpected batch %q", b)
	case <-time.After(d):
	}
}

func start(t *testing.T, root string, opts Options) *Watcher {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w, err := Start(ctx, root, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		for range w.Changes() {
		}
	})
	return w
}

// TestBurstIsOneBatch: a burst of writes, with the editor's and tools'
// side files among them, arrives as one batch of the real files.
func TestBurstIsOneBatch(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, "ui/app.js", "1")
	write(t, root, ".git/HEAD", "ref")
	write(t, root, "node_modules/x/index.js", "x")
	w := start(t, root, Options{Skip: []string{"backend/b.wasm"}})

	var want []string
	for i := range 20 {
		rel := fmt.Sprintf("ui/f%02d.js", i)
		write(t, root, rel, "x")
		want = append(want, rel)
	}
	for _, side := range []string{"ui/.f00.js.swp", "ui/f00.js~", ".git/index", "node_modules/x/index.js", "backend/b.wasm", "backend/.b.wasm.42.tmp"} {
		write(t, root, side, "side")
	}
	if got := next(t, w); !slices.Equal(got, want) {
		t.Fatalf("batch %q, want %q", got, want)
	}
	none(t, w, 400*time.Millisecond)
}

// TestQuietGap: changes apart by more than the debounce are two batches.
func TestQuietGap(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	w := start(t, root, Options{Debounce: 50 * time.Millisecond})
	write(t, root, "a.js", "1")
	if got := next(t, w); !slices.Equal(got, []string{"a.js"}) {
		t.Fatalf("first batch %q", got)
	}
	write(t, root, "b.js", "1")
	if got := next(t, w); !slices.Equal(got, []string{"b.js"}) {
		t.Fatalf("second batch %q", got)
	}
}

// TestNewDirectoriesAreWatched: a directory made after the start is
// watched, and what is already in it when that happens counts as
// changed.
func TestNewDirectoriesAreWatched(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	w := start(t, root, Options{})
	// Made elsewhere and moved in: its file exists before any watch.
	tmp := t.TempDir()
	write(t, tmp, "deep/x/f.js", "1")
	if err := os.Rename(filepath.Join(tmp, "deep"), filepath.Join(root, "deep")); err != nil {
		t.Fatal(err)
	}
	if got := next(t, w); !slices.Equal(got, []string{"deep/x/f.js"}) {
		t.Fatalf("batch %q, want the moved-in file", got)
	}
	write(t, root, "deep/x/g.js", "1")
	if got := next(t, w); !slices.Equal(got, []string{"deep/x/g.js"}) {
		t.Fatalf("batch %q, want the new file in the new directory", got)
	}
	// An ignored directory made later stays unwatched.
	write(t, root, "ui/node_modules/y/index.js", "1")
	write(t, root, "ui/node_modules/y/other.js", "1")
	none(t, w, 400*time.Millisecond)
}

// TestSlowReaderLosesNothing: batches not taken yet merge.
func TestSlowReaderLosesNothing(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	w := start(t, root, Options{Debounce: 20 * time.Millisecond})
	write(t, root, "a.js", "1")
	time.Sleep(200 * time.Millisecond)
	write(t, root, "b.js", "1")
	time.Sleep(200 * time.Millisecond)
	if got := next(t, w); !slices.Equal(got, []string{"a.js", "b.js"}) {
		t.Fatalf("batch %q, want both files", got)
	}
}

// TestTransientFilesLeftOut: a file made and removed within one batch (a
// tool's temporary file, such as sed -i's) is no change, but a file that
// existed and was removed is.
func TestTransientFilesLeftOut(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, "ui/old.js", "1")
	w := start(t, root, Options{})
	write(t, root, "ui/sedX1b2c3", "new")
	if err := os.Rename(filepath.Join(root, "ui", "sedX1b2c3"), filepath.Join(root, "ui", "app.js")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(root, "ui", "old.js")); err != nil {
		t.Fatal(err)
	}
	if got := next(t, w); !slices.Equal(got, []string{"ui/app.js", "ui/old.js"}) {
		t.Fatalf("batch %q, want the renamed-to and the removed file", got)
	}
}
