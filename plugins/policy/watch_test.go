package policy

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// applyWithin is how soon a change must be applied; waitLimit is how long
// a test waits before giving up, so that a slow machine reports the delay
// it saw instead of a bare timeout.
const (
	applyWithin = time.Second
	waitLimit   = 5 * time.Second
)

// recorder collects the policies a Watcher applies.
type recorder struct {
	mu      sync.Mutex
	applied []*Policy
}

func (r *recorder) apply(p *Policy) {
	r.mu.Lock()
	r.applied = append(r.applied, p)
	r.mu.Unlock()
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.applied)
}

func (r *recorder) all() []*Policy {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*Policy(nil), r.applied...)
}

func (r *recorder) last() *Policy {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.applied) == 0 {
		return nil
	}
	return r.applied[len(r.applied)-1]
}

// blocking returns a policy file that blocks or allows com.example.notes.
func blocking(block bool) string {
	allow := "true"
	if block {
		allow = "false"
	}
	return withPlugins("allow", `{"id": "com.example.notes", "allow": `+allow+`, "reason": "test"}`)
}

func notesAllowed(p *Policy) bool {
	return p.Check(Candidate{ID: "com.example.notes", Version: "1.0.0"}).Allowed
}

// startWatch writes content (unless empty) to dir/policy.json and watches it.
func startWatch(t *testing.T, dir, content string) (*Watcher, *recorder, string) {
	t.Helper()
	path := filepath.Join(dir, "policy.json")
	if content != "" {
		writeInPlace(t, path, content)
	}
	r := &recorder{}
	w, err := Watch(t.Context(), path, r.apply)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w, r, path
}

func writeInPlace(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeByRename saves as many editors do: a temporary file renamed over the
// policy.
func writeByRename(t *testing.T, path, content string) {
	t.Helper()
	tmp := filepath.Join(filepath.Dir(path), ".policy.json.swp")
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// waitApplied waits until cond holds for both the last applied policy and
// Current, and fails unless that happened within applyWithin.
func waitApplied(t *testing.T, w *Watcher, r *recorder, what string, cond func(*Policy) bool) {
	t.Helper()
	start := time.Now()
	for {
		if last := r.last(); last != nil && cond(last) && cond(w.Current()) {
			break
		}
		if time.Since(start) > waitLimit {
			t.Fatalf("%s: not applied after %v (current: %s, last error: %v)", what, waitLimit, w.Current().Source, w.LastError())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if d := time.Since(start); d > applyWithin {
		t.Errorf("%s: applied after %v, want within %v", what, d, applyWithin)
	}
}

func TestWatchInPlaceEdit(t *testing.T) {
	w, r, path := startWatch(t, t.TempDir(), blocking(false))
	if !notesAllowed(w.Current()) || w.LastError() != nil || w.Current().Source != path {
		t.Fatalf("initial policy: %s, %v", w.Current().Source, w.LastError())
	}
	writeInPlace(t, path, blocking(true))
	waitApplied(t, w, r, "block by in-place edit", func(p *Policy) bool { return !notesAllowed(p) })
	writeInPlace(t, path, blocking(false))
	waitApplied(t, w, r, "allow by in-place edit", notesAllowed)
}

func TestWatchRenameOver(t *testing.T) {
	w, r, path := startWatch(t, t.TempDir(), blocking(false))
	writeByRename(t, path, blocking(true))
	waitApplied(t, w, r, "block by rename", func(p *Policy) bool { return !notesAllowed(p) })
	writeByRename(t, path, blocking(false))
	waitApplied(t, w, r, "allow by rename", notesAllowed)
}

func TestWatchBrokenKeepsLastGood(t *testing.T) {
	var logs syncBuffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })

	w, r, path := startWatch(t, t.TempDir(), blocking(true))
	writeInPlace(t, path, `{"policy_version": 1, "default": "allow", "plugins": [`)
	start := time.Now()
	for w.LastError() == nil {
		if time.Since(start) > waitLimit {
			t.Fatal("broken file not noticed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !errors.Is(w.LastError(), ErrInvalid) || !strings.Contains(w.LastError().Error(), path) {
		t.Errorf("LastError %v", w.LastError())
	}
	if notesAllowed(w.Current()) || r.count() != 0 {
		t.Errorf("broken file changed the policy in force (%d applied)", r.count())
	}
	if l := logs.String(); !strings.Contains(l, "level=ERROR") || !strings.Contains(l, "last good policy stays in force") || !strings.Contains(l, path) {
		t.Errorf("log does not say so loudly:\n%s", l)
	}
	writeInPlace(t, path, blocking(false))
	waitApplied(t, w, r, "fix", notesAllowed)
	if w.LastError() != nil {
		t.Errorf("LastError after the fix: %v", w.LastError())
	}
}

func TestWatchInvalidAtStartBlocksAll(t *testing.T) {
	w, r, path := startWatch(t, t.TempDir(), `{"policy_version": 1}`)
	if w.LastError() == nil || notesAllowed(w.Current()) {
		t.Fatalf("invalid file at start: %v, %s", w.LastError(), w.Current().Source)
	}
	if d := w.Current().Check(Candidate{ID: "org.any"}); d.Allowed || !strings.Contains(d.Reason, "invalid") {
		t.Errorf("%+v", d)
	}
	writeInPlace(t, path, blocking(false))
	waitApplied(t, w, r, "fix", notesAllowed)
}

func TestWatchCreateAndDelete(t *testing.T) {
	// The directory does not exist when watching starts.
	dir := filepath.Join(t.TempDir(), "etc", "warden")
	w, r, path := startWatch(t, dir, "")
	if !w.Current().Missing || !notesAllowed(w.Current()) {
		t.Fatalf("initial: %+v", w.Current())
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeInPlace(t, path, blocking(true))
	waitApplied(t, w, r, "created", func(p *Policy) bool { return !notesAllowed(p) })

	// Delete and recreate quickly: no "no policy" in between.
	n := r.count()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	writeInPlace(t, path, blocking(true)+" ")
	time.Sleep(missingGrace + 2*debounce)
	for _, p := range r.all()[n:] {
		if p.Missing {
			t.Error("a quick delete and recreate applied the missing policy")
		}
	}

	// Deleted for good: no policy.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	waitApplied(t, w, r, "deleted", func(p *Policy) bool { return p.Missing })
}

func TestWatchDirectoryReplaced(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "warden")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	w, r, path := startWatch(t, dir, blocking(false))
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	waitApplied(t, w, r, "directory removed", func(p *Policy) bool { return p.Missing })
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeByRename(t, path, blocking(true))
	waitApplied(t, w, r, "directory recreated", func(p *Policy) bool { return !notesAllowed(p) })
}

func TestWatchUnchangedNotReapplied(t *testing.T) {
	w, r, path := startWatch(t, t.TempDir(), blocking(true))
	writeInPlace(t, path, blocking(true))
	other := filepath.Join(filepath.Dir(path), "other.json")
	writeInPlace(t, other, "{}")
	time.Sleep(4 * debounce)
	if r.count() != 0 {
		t.Errorf("applied %d times without a change", r.count())
	}
	writeInPlace(t, path, blocking(false))
	waitApplied(t, w, r, "change", notesAllowed)
	if r.count() != 1 {
		t.Errorf("applied %d times for one change", r.count())
	}
}

func TestWatchClose(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "policy.json")
	writeInPlace(t, path, blocking(false))
	r := &recorder{}
	w, err := Watch(context.Background(), path, r.apply)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	writeInPlace(t, path, blocking(true))
	time.Sleep(4 * debounce)
	if r.count() != 0 || !notesAllowed(w.Current()) {
		t.Error("applied after Close")
	}

	// Cancelling the context stops it too.
	ctx, cancel := context.WithCancel(context.Background())
	w, err = Watch(ctx, path, r.apply)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case <-w.done:
	case <-time.After(waitLimit):
		t.Fatal("watcher still running after its context ended")
	}
	w.Close()
}

// syncBuffer is a bytes.Buffer safe for the watcher's goroutine to log into.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestWatchSteadyWritesStillApply(t *testing.T) {
	w, r, path := startWatch(t, t.TempDir(), blocking(false))
	// A writer touching the file every 20 ms must not hold the change back.
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				os.WriteFile(path, []byte(blocking(true)), 0o644)
			}
		}
	}()
	defer func() { close(stop); <-done }()
	waitApplied(t, w, r, "block during steady writes", func(p *Policy) bool { return !notesAllowed(p) })
}
