package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestRecover(t *testing.T) {
	t.Parallel()
	s, profile := newStore(t, Options{})
	ctx := t.Context()
	mustInstall(t, s, "com.example.a", "1.0.0")
	mustInstall(t, s, "com.example.a", "1.1.0")

	// Leftovers of crashes at every step.
	mkdir := func(p string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(profile, p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(profile, p, "f"), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	mkdir("staging/stage-dead")             // crash while extracting
	mkdir("plugins/com.example.a/1.2.0")    // crash between rename and record
	mkdir("plugins/com.example.gone/3.0.0") // crash during uninstall
	mkdir("plugins/com.example.a/0.9.0")    // crash after dropping a kept version
	open, err := s.Stage(ctx)               // work in progress in this process
	if err != nil {
		t.Fatal(err)
	}
	defer open.Discard()
	if err := os.RemoveAll(s.Dir("com.example.a", "1.0.0")); err != nil { // deleted by hand
		t.Fatal(err)
	}

	rep, err := s.Recover(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantRemoved := []string{
		filepath.Join(profile, "staging/stage-dead"),
		filepath.Join(profile, "plugins/com.example.a/0.9.0"),
		filepath.Join(profile, "plugins/com.example.a/1.2.0"),
		filepath.Join(profile, "plugins/com.example.gone"),
	}
	slices.Sort(rep.Removed)
	slices.Sort(wantRemoved)
	if !slices.Equal(rep.Removed, wantRemoved) {
		t.Errorf("removed %v\nwant %v", rep.Removed, wantRemoved)
	}
	if want := []string{s.Dir("com.example.a", "1.0.0")}; !slices.Equal(rep.Missing, want) {
		t.Errorf("missing %v, want %v", rep.Missing, want)
	}
	if got := dirNames(t, filepath.Join(profile, "staging")); !slices.Equal(got, []string{filepath.Base(open.Dir())}) {
		t.Errorf("staging/ after recovery: %v, want only the open staging", got)
	}
	if got := dirNames(t, filepath.Join(profile, "plugins")); !slices.Equal(got, []string{"com.example.a"}) {
		t.Errorf("plugins/ after recovery: %v", got)
	}
	if err := checkTree(s.Dir("com.example.a", "1.1.0"), "com.example.a", "1.1.0"); err != nil {
		t.Errorf("recovery touched a referenced tree: %v", err)
	}

	// Nothing left to do the second time.
	rep, err = s.Recover(ctx)
	if err != nil || len(rep.Removed) != 0 {
		t.Errorf("second recovery: %+v %v", rep, err)
	}
}

func TestOpenRecovers(t *testing.T) {
	t.Parallel()
	profile := t.TempDir()
	db := openDB(t, profile)
	s, err := OpenOptions(db, profile, Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	mustInstall(t, s, "com.example.a", "1.0.0")
	st, _ := s.Stage(t.Context())
	writeTree(st.Dir(), "com.example.a", "1.1.0")
	db.Close() // crash with the staging open

	db = openDB(t, profile)
	defer db.Close()
	if _, err := OpenOptions(db, profile, Options{Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	if got := dirNames(t, filepath.Join(profile, "staging")); len(got) != 0 {
		t.Errorf("Open left staging leftovers %v", got)
	}
}

func TestOpenSkipsRecoveryWhileLocked(t *testing.T) {
	t.Parallel()
	profile := t.TempDir()
	leftover := filepath.Join(profile, "staging", "stage-other")
	if err := os.MkdirAll(leftover, 0o700); err != nil {
		t.Fatal(err)
	}
	other := holdLock(t, profile)
	db := openDB(t, profile)
	defer db.Close()
	s, err := OpenOptions(db, profile, Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(leftover); err != nil {
		t.Fatalf("Open removed staging of a process holding the lock: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := s.Recover(ctx); !errors.Is(err, ErrBusy) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Recover while locked: %v, want ErrBusy and the deadline", err)
	}
	other.Close()
	if _, err := s.Recover(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(leftover); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Recover after unlock kept the leftover: %v", err)
	}
}
