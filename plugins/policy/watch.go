package policy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Timing of the watcher. Editors write a file in several steps (truncate
// and write, or write a temporary file and rename it), so events are
// gathered for debounce before reading. A file that disappears is only
// taken as "no policy" once it has stayed away for missingGrace, so that a
// delete-then-create save never lets everything run in between. Both stay
// well inside the one second in which a change must apply.
// A stream of events (a slow writer) delays the read by at most maxDelay.
const (
	debounce     = 75 * time.Millisecond
	maxDelay     = 400 * time.Millisecond
	missingGrace = 300 * time.Millisecond
)

// Watcher keeps the policy at a path up to date as the file changes.
type Watcher struct {
	path  string // absolute
	dir   string
	apply func(*Policy)
	fsw   *fsnotify.Watcher

	cur     atomic.Pointer[Policy]
	mu      sync.Mutex
	lastErr error

	// Used only by the watcher's goroutine once started.
	watched     string // the directory watched: dir or, while it is missing, an ancestor
	applied     []byte // contents of the file behind cur; nil when cur came from no valid file
	missingSeen bool
	timer       *time.Timer
	pending     time.Time // when the first event not yet read arrived

	cancel context.CancelFunc
	done   chan struct{}
}

// Watch loads the policy at path and keeps it current: it watches the
// file's directory with fsnotify, so in-place writes, editors that rename a
// temporary file over the policy, and delete-and-recreate are all seen, and
// so is a policy file (or directory) created after Watch starts. A change
// is read after a short debounce and applied within one second: the new
// policy becomes [Watcher.Current] and apply is called with it on the
// watcher's goroutine (apply should return promptly; it is not called for
// the initial policy). A file whose contents did not change is not applied
// again.
//
// A file that does not parse leaves the last good policy in force, logs an
// error with the path and the problem, and is reported by
// [Watcher.LastError] until a good file replaces it. If the file is invalid
// when Watch starts there is no good policy yet: Current then blocks every
// plugin, saying why, until the file is fixed, because an admin's policy
// that cannot be read must not let everything run.
//
// The watcher stops when ctx is done or on [Watcher.Close].
func Watch(ctx context.Context, path string, apply func(*Policy)) (*Watcher, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("watch policy %s: %w", path, err)
	}
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch policy %s: %w", abs, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	w := &Watcher{
		path:   abs,
		dir:    filepath.Dir(abs),
		apply:  apply,
		fsw:    fsw,
		cancel: cancel,
		done:   make(chan struct{}),
		timer:  time.NewTimer(time.Hour),
	}
	w.timer.Stop()
	// Watch before the first read so that no change between the two is lost.
	if err := w.arm(); err != nil {
		cancel()
		fsw.Close()
		return nil, fmt.Errorf("watch policy %s: %w", abs, err)
	}
	data, p, err := load(abs)
	if err != nil {
		w.setErr(err)
		slog.Error("admin policy file is invalid; blocking every plugin until it is fixed", "path", abs, "err", err)
		p = invalidPolicy(abs, err)
	}
	w.cur.Store(p)
	w.applied = data
	go w.loop(ctx)
	return w, nil
}

// Current returns the policy in force. It never returns nil.
func (w *Watcher) Current() *Policy { return w.cur.Load() }

// LastError returns why the file could not be used the last time it was
// read, or nil when the policy in force is the file's current contents.
func (w *Watcher) LastError() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.lastErr
}

// Path returns the absolute path of the watched policy file.
func (w *Watcher) Path() string { return w.path }

// Close stops watching and waits for the watcher's goroutine to end; apply
// is not called after Close returns.
func (w *Watcher) Close() error {
	w.cancel()
	<-w.done
	return nil
}

func (w *Watcher) setErr(err error) {
	w.mu.Lock()
	w.lastErr = err
	w.mu.Unlock()
}

func (w *Watcher) loop(ctx context.Context) {
	defer close(w.done)
	defer w.fsw.Close()
	defer w.timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return
			}
			w.event(ev)
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return
			}
			// An overflow may have dropped the event that mattered.
			slog.Warn("watching the admin policy", "path", w.path, "err", err)
			w.schedule()
		case <-w.timer.C:
			w.reload()
		}
	}
}

// event schedules a reload when ev may have changed the policy file.
func (w *Watcher) event(ev fsnotify.Event) {
	name := filepath.Clean(ev.Name)
	switch {
	case w.watched != w.dir, name == w.dir:
		// The directory is missing or just went away: watch the nearest
		// ancestor until it is back.
		if err := w.arm(); err != nil {
			slog.Error("watching the admin policy", "path", w.path, "err", err)
		}
	case name != w.path:
		return
	}
	w.schedule()
}

// schedule reads the file after debounce, or sooner when events have kept
// coming for nearly maxDelay.
func (w *Watcher) schedule() {
	now := time.Now()
	if w.pending.IsZero() {
		w.pending = now
	}
	w.timer.Reset(max(0, min(debounce, maxDelay-now.Sub(w.pending))))
}

// arm watches the policy's directory or, while it does not exist, its
// nearest existing ancestor.
func (w *Watcher) arm() error {
	target := w.dir
	for {
		err := w.fsw.Add(target)
		if err == nil {
			break
		}
		parent := filepath.Dir(target)
		if !errors.Is(err, fs.ErrNotExist) || parent == target {
			return err
		}
		target = parent
	}
	if w.watched != "" && w.watched != target {
		// The old watch may already be gone with its directory.
		_ = w.fsw.Remove(w.watched)
	}
	w.watched = target
	return nil
}

// reload reads the file and applies it when it is valid and new.
func (w *Watcher) reload() {
	w.pending = time.Time{}
	data, p, err := load(w.path)
	if err != nil {
		w.setErr(err)
		slog.Error("admin policy file is invalid; the last good policy stays in force", "path", w.path, "err", err, "in_force", w.Current().Source)
		return
	}
	cur := w.Current()
	if p.Missing {
		if cur.Missing {
			w.setErr(nil)
			return
		}
		if !w.missingSeen {
			w.missingSeen = true
			w.timer.Reset(missingGrace)
			return
		}
	}
	w.missingSeen = false
	hadErr := w.LastError() != nil
	w.setErr(nil)
	if !p.Missing && w.applied != nil && bytes.Equal(data, w.applied) {
		if hadErr {
			slog.Info("admin policy file is valid again", "path", w.path)
		}
		return
	}
	w.applied = data
	w.cur.Store(p)
	slog.Info("admin policy applied", "source", p.Source)
	if w.apply != nil {
		w.apply(p)
	}
}

// load is Load returning the file's contents too (nil when missing).
func load(path string) ([]byte, *Policy, error) {
	data, err := readFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, missingPolicy(path), nil
	}
	if err != nil {
		return nil, nil, err
	}
	p, err := parseFile(path, data)
	if err != nil {
		return nil, nil, err
	}
	return data, p, nil
}

// invalidPolicy blocks every plugin because the file at path is invalid.
func invalidPolicy(path string, err error) *Policy {
	return &Policy{
		Source: fmt.Sprintf("%s is invalid, so every plugin is blocked until it is fixed", path),
		Path:   path,
		def:    Block,
		// Fail closed on everything an unreadable policy might have said.
		netIso:    true,
		noDevMode: true,
		broken:    fmt.Sprintf("the admin policy file %s is invalid, so every plugin is blocked until it is fixed: %v", path, err),
	}
}
