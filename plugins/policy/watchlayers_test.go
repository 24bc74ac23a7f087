package policy

import (
	"path/filepath"
	"testing"
	"time"
)

// waitLayered waits until cond holds for the recorder's last policy.
func waitLayered(t *testing.T, r *recorder, what string, cond func(*Policy) bool) {
	t.Helper()
	start := time.Now()
	for {
		if p := r.last(); p != nil && cond(p) {
			if took := time.Since(start); took > applyWithin {
				t.Errorf("%s: applied after %v, want within %v", what, took, applyWithin)
			}
			return
		}
		if time.Since(start) > waitLimit {
			t.Fatalf("%s: not applied after %v", what, waitLimit)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestWatchLayeredUserEditCannotLoosen edits the user's file, as a user
// would, to allow what the managed policy blocks: the plugin stays blocked.
// An edit of the managed file applies at once.
func TestWatchLayeredUserEditCannotLoosen(t *testing.T) {
	dir := t.TempDir()
	managed := filepath.Join(dir, "managed.json")
	user := filepath.Join(dir, "user.json")
	writeInPlace(t, managed, blocking(true))
	writeInPlace(t, user, blocking(false))
	r := &recorder{}
	lw, err := WatchLayered(t.Context(), managed, user, r.apply)
	if err != nil {
		t.Fatal(err)
	}
	defer lw.Close()
	if notesAllowed(lw.Current()) {
		t.Fatal("a user file that allows the plugin lifted the managed block")
	}

	// The user rewrites their file to allow everything: still blocked.
	writeInPlace(t, user, `{"policy_version": 1, "default": "allow"}`)
	waitLayered(t, r, "user edit", func(p *Policy) bool { return p.Layers()[1].Default() == Allow && len(p.Layers()[1].Entries()) == 0 })
	if notesAllowed(lw.Current()) || notesAllowed(r.last()) {
		t.Fatal("editing the user file lifted the managed block")
	}

	// The admin allows it: now it runs, and a user block applies on top.
	writeInPlace(t, managed, blocking(false))
	waitLayered(t, r, "managed edit", notesAllowed)
	writeInPlace(t, user, blocking(true))
	waitLayered(t, r, "user block", func(p *Policy) bool { return !notesAllowed(p) })
	if lw.LastError() != nil {
		t.Errorf("last error %v", lw.LastError())
	}
}

// A user file that is broken from the start blocks everything: it can only
// restrict.
func TestWatchLayeredBrokenUserFileRestricts(t *testing.T) {
	dir := t.TempDir()
	managed := filepath.Join(dir, "managed.json")
	user := filepath.Join(dir, "user.json")
	writeInPlace(t, managed, `{"policy_version": 1, "default": "allow"}`)
	writeInPlace(t, user, `{"policy_version": 1, "default": "allow", "developer_mode": "yes"}`)
	lw, err := WatchLayered(t.Context(), managed, user, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer lw.Close()
	if p := lw.Current(); notesAllowed(p) || p.DeveloperMode() || lw.LastError() == nil {
		t.Errorf("broken user file: allowed %v, developer mode %v, last error %v", notesAllowed(p), p.DeveloperMode(), lw.LastError())
	}
}

func TestWatchLayeredWithoutUserFile(t *testing.T) {
	dir := t.TempDir()
	managed := filepath.Join(dir, "managed.json")
	writeInPlace(t, managed, blocking(true))
	r := &recorder{}
	lw, err := WatchLayered(t.Context(), managed, "", r.apply)
	if err != nil {
		t.Fatal(err)
	}
	defer lw.Close()
	if notesAllowed(lw.Current()) || len(lw.Current().Layers()) != 0 {
		t.Fatal("managed policy alone not in force")
	}
	writeInPlace(t, managed, blocking(false))
	waitLayered(t, r, "managed edit", notesAllowed)
}
