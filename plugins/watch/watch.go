package watch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/fsnotify/fsnotify"
)

// DefaultDebounce is how long the directory must be quiet before a batch
// of changes is handed over: an editor's save, or a tool writing many
// files, is one batch.
const DefaultDebounce = 100 * time.Millisecond

// Options say what to watch for.
type Options struct {
	// Debounce is the quiet period that ends a batch (0: DefaultDebounce).
	// A batch that keeps growing is handed over after 10 of them anyway.
	Debounce time.Duration
	// Skip are further slash-separated paths below the root whose changes
	// are left out, such as the backend's built .wasm.
	Skip []string
}

// Watcher watches one directory tree. Its batches arrive on Changes.
type Watcher struct {
	root    string
	opts    Options
	fs      *fsnotify.Watcher
	changes chan []string
	err     error // why it stopped; read after changes is closed
}

// Start watches root and everything below it until ctx ends. It costs
// one inotify watch per directory (ignored ones excluded) and one
// goroutine.
func Start(ctx context.Context, root string, opts Options) (*Watcher, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", root, err)
	}
	if opts.Debounce <= 0 {
		opts.Debounce = DefaultDebounce
	}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", root, err)
	}
	w := &Watcher{root: abs, opts: opts, fs: fw, changes: make(chan []string)}
	if _, err := w.addTree(abs); err != nil {
		fw.Close()
		return nil, fmt.Errorf("watch %s: %w", root, err)
	}
	go w.run(ctx)
	return w, nil
}

// Changes returns the channel of batches: each one the sorted,
// slash-separated paths below the root that were created, written,
// removed or renamed. A batch not yet taken grows with later changes, so
// a slow reader gets fewer, larger batches and loses nothing. The channel
// is closed when the watcher stops.
func (w *Watcher) Changes() <-chan []string { return w.changes }

// Err says why the watcher stopped once Changes is closed: nil when its
// context ended.
func (w *Watcher) Err() error { return w.err }

// skipped reports whether changes to rel are left out.
func (w *Watcher) skipped(rel string) bool {
	return Ignored(rel) || slices.Contains(w.opts.Skip, rel)
}

// addTree watches dir and every directory below it that is not ignored,
// and returns the files found in them (relative, slash-separated): files
// made in a new directory before its watch was in place are changes too.
func (w *Watcher) addTree(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p != dir && errors.Is(err, fs.ErrNotExist) {
				return nil // gone again already
			}
			return err
		}
		rel, relErr := filepath.Rel(w.root, p)
		if relErr != nil {
			return relErr
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && w.skipped(rel) {
				return filepath.SkipDir
			}
			return w.fs.Add(p)
		}
		if !w.skipped(rel) {
			files = append(files, rel)
		}
		return nil
	})
	return files, err
}

// run turns fsnotify's events into batches until ctx ends or fsnotify
// fails.
func (w *Watcher) run(ctx context.Context) {
	defer close(w.changes)
	defer w.fs.Close()
	// The changes of the batch being gathered: true for a path that did
	// not exist when the batch began (its first event created it).
	pending := map[string]bool{}
	var ready []string // a batch waiting for its reader
	quiet := time.NewTimer(time.Hour)
	quiet.Stop()
	var started time.Time // when the gathered batch began
	flush := func() {
		for p, created := range pending {
			if created && !w.exists(p) {
				continue // a tool's temporary file, made and gone within the batch
			}
			if !slices.Contains(ready, p) {
				ready = append(ready, p)
			}
		}
		slices.Sort(ready)
		clear(pending)
	}
	for {
		var out chan []string
		if len(ready) > 0 {
			out = w.changes
		}
		select {
		case <-ctx.Done():
			return
		case out <- ready:
			ready = nil
		case <-quiet.C:
			flush()
		case err, ok := <-w.fs.Errors:
			if !ok {
				return
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// Events were lost: say that the whole tree changed.
				files, _ := w.addTree(w.root)
				for _, f := range files {
					if _, seen := pending[f]; !seen {
						pending[f] = false
					}
				}
				quiet.Reset(w.opts.Debounce)
				continue
			}
			w.err = fmt.Errorf("watch %s: %w", w.root, err)
			return
		case ev, ok := <-w.fs.Events:
			if !ok {
				return
			}
			changed := w.event(ev)
			if len(changed) == 0 {
				continue
			}
			if len(pending) == 0 {
				started = time.Now()
			}
			for _, p := range changed {
				if _, seen := pending[p]; !seen {
					pending[p] = ev.Has(fsnotify.Create)
				}
			}
			if time.Since(started) >= 10*w.opts.Debounce {
				quiet.Stop()
				flush()
				continue
			}
			quiet.Reset(w.opts.Debounce)
		}
	}
}

// exists reports whether rel is there now.
func (w *Watcher) exists(rel string) bool {
	_, err := os.Lstat(filepath.Join(w.root, filepath.FromSlash(rel)))
	return err == nil
}

// event returns the paths one fsnotify event changed, watching a new
// directory (and reporting what is already in it).
func (w *Watcher) event(ev fsnotify.Event) []string {
	if ev.Op == fsnotify.Chmod {
		return nil // attributes only: no content changed
	}
	rel, err := filepath.Rel(w.root, ev.Name)
	if err != nil {
		return nil
	}
	rel = filepath.ToSlash(rel)
	if rel == "." || w.skipped(rel) {
		return nil
	}
	if ev.Has(fsnotify.Create) {
		if fi, err := os.Lstat(ev.Name); err == nil && fi.IsDir() {
			files, _ := w.addTree(ev.Name)
			return files
		}
	}
	return []string{rel}
}
