package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/wardenhq/warden/permissions"
	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

func TestCommitFirstInstall(t *testing.T) {
	t.Parallel()
	s, profile := newStore(t, Options{})
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	s.now = func() time.Time { return at }
	ctx := t.Context()
	st, err := s.Stage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(st.Dir()) != filepath.Join(profile, "staging") {
		t.Fatalf("staging dir %s not under the profile's staging/", st.Dir())
	}
	if err := writeTree(st.Dir(), "com.example.a", "1.0.0"); err != nil {
		t.Fatal(err)
	}
	grants := permissions.Grants{"storage": {Permission: "storage", GrantedAt: at}}
	rec := Plugin{ID: "com.example.a", Version: "1.0.0", Enabled: true, Grants: grants, Range: "^1",
		Source: "a.wbundle", SignerKey: testSignerKey, Previous: []string{"0.1.0"}, InstalledAt: at.Add(-time.Hour)}
	if err := s.Commit(ctx, st, rec); err != nil {
		t.Fatal(err)
	}
	dir := s.Dir("com.example.a", "1.0.0")
	if dir != filepath.Join(profile, "plugins", "com.example.a", "1.0.0") {
		t.Errorf("Dir = %s", dir)
	}
	if err := checkTree(dir, "com.example.a", "1.0.0"); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(st.Dir()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("staging dir still there after commit: %v", err)
	}
	if err := st.Discard(); err != nil {
		t.Errorf("Discard after Commit: %v", err)
	}
	if err := checkTree(dir, "com.example.a", "1.0.0"); err != nil {
		t.Errorf("Discard after Commit touched the installed tree: %v", err)
	}
	got := mustGet(t, s, "com.example.a")
	want := rec
	want.Previous = nil // the store owns it
	want.InstalledAt, want.UpdatedAt = at, at
	if got.ID != want.ID || got.Version != want.Version || len(got.Previous) != 0 || !got.Enabled ||
		got.Range != "^1" || got.Source != "a.wbundle" || got.Signer != testSignerID || got.SignerKey != testSignerKey ||
		!got.InstalledAt.Equal(at) || !got.UpdatedAt.Equal(at) || !got.Grants["storage"].GrantedAt.Equal(at) {
		t.Errorf("record:\n got %+v\nwant %+v", got, want)
	}
}

func TestCommitUpdateKeepsPrevious(t *testing.T) {
	t.Parallel()
	s, profile := newStore(t, Options{Keep: 2})
	first := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	now := first
	s.now = func() time.Time { return now }
	id := "com.example.a"
	versions := []string{"1.0.0", "1.1.0", "1.2.0", "2.0.0"}
	for i, v := range versions {
		now = first.Add(time.Duration(i) * time.Hour)
		mustInstall(t, s, id, v)
	}
	p := mustGet(t, s, id)
	if p.Version != "2.0.0" || !slices.Equal(p.Previous, []string{"1.2.0", "1.1.0"}) {
		t.Fatalf("after updates: version %s previous %v", p.Version, p.Previous)
	}
	if !p.InstalledAt.Equal(first) || !p.UpdatedAt.Equal(now) {
		t.Errorf("times: installed %v updated %v, want %v and %v", p.InstalledAt, p.UpdatedAt, first, now)
	}
	if got := dirNames(t, filepath.Join(profile, "plugins", id)); !slices.Equal(got, []string{"1.1.0", "1.2.0", "2.0.0"}) {
		t.Errorf("version dirs %v, want the current and two kept", got)
	}
	for _, v := range p.versions() {
		if err := checkTree(s.Dir(id, v), id, v); err != nil {
			t.Error(err)
		}
	}
}

func TestCommitKeepOne(t *testing.T) {
	t.Parallel()
	s, profile := newStore(t, Options{Keep: 1})
	for _, v := range []string{"1.0.0", "1.1.0", "1.2.0"} {
		mustInstall(t, s, "com.example.a", v)
	}
	if p := mustGet(t, s, "com.example.a"); !slices.Equal(p.Previous, []string{"1.1.0"}) {
		t.Errorf("previous %v, want [1.1.0]", p.Previous)
	}
	if got := dirNames(t, filepath.Join(profile, "plugins", "com.example.a")); !slices.Equal(got, []string{"1.1.0", "1.2.0"}) {
		t.Errorf("version dirs %v", got)
	}
}

func TestCommitAlreadyInstalled(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t, Options{})
	mustInstall(t, s, "com.example.a", "1.0.0")
	mustInstall(t, s, "com.example.a", "1.1.0")
	for _, v := range []string{"1.1.0", "1.0.0"} {
		t.Run(v, func(t *testing.T) {
			st, err := s.Stage(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			defer st.Discard()
			if err := writeTree(st.Dir(), "com.example.a", "9.9.9"); err != nil {
				t.Fatal(err)
			}
			err = s.Commit(t.Context(), st, Plugin{ID: "com.example.a", Version: v})
			if !errors.Is(err, ErrAlreadyInstalled) {
				t.Fatalf("commit %s again: %v, want ErrAlreadyInstalled", v, err)
			}
			if err := checkTree(s.Dir("com.example.a", v), "com.example.a", v); err != nil {
				t.Errorf("refused commit changed the installed tree: %v", err)
			}
			if _, err := os.Stat(st.Dir()); err != nil {
				t.Errorf("refused commit consumed the staging: %v", err)
			}
		})
	}
	if p := mustGet(t, s, "com.example.a"); p.Version != "1.1.0" || !slices.Equal(p.Previous, []string{"1.0.0"}) {
		t.Errorf("record changed: %+v", p)
	}
}

func TestCommitReplacesLeftover(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t, Options{})
	mustInstall(t, s, "com.example.a", "1.0.0")
	left := s.Dir("com.example.a", "1.1.0")
	if err := os.MkdirAll(filepath.Join(left, "junk"), 0o700); err != nil {
		t.Fatal(err)
	}
	mustInstall(t, s, "com.example.a", "1.1.0")
	if err := checkTree(left, "com.example.a", "1.1.0"); err != nil {
		t.Errorf("leftover not replaced: %v", err)
	}
}

func TestCommitInvalid(t *testing.T) {
	t.Parallel()
	s, profile := newStore(t, Options{})
	tests := []struct {
		name string
		rec  Plugin
	}{
		{"empty id", Plugin{Version: "1.0.0"}},
		{"traversal id", Plugin{ID: "../x", Version: "1.0.0"}},
		{"one label id", Plugin{ID: "notes", Version: "1.0.0"}},
		{"empty version", Plugin{ID: "com.example.a"}},
		{"traversal version", Plugin{ID: "com.example.a", Version: "../../1.0.0"}},
		{"v prefix", Plugin{ID: "com.example.a", Version: "v1.0.0"}},
		{"bad range", Plugin{ID: "com.example.a", Version: "1.0.0", Range: ">>1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := s.Stage(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			defer st.Discard()
			if err := s.Commit(t.Context(), st, tt.rec); !errors.Is(err, ErrInvalidRecord) {
				t.Fatalf("commit %+v: %v, want ErrInvalidRecord", tt.rec, err)
			}
		})
	}
	if got := dirNames(t, filepath.Join(profile, "plugins")); len(got) != 0 {
		t.Errorf("invalid commits left %v", got)
	}
}

func TestCommitStagingClosed(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t, Options{})
	other, _ := newStore(t, Options{})
	ctx := t.Context()
	rec := Plugin{ID: "com.example.a", Version: "1.0.0"}

	st, _ := s.Stage(ctx)
	if err := st.Discard(); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, st, rec); !errors.Is(err, ErrStagingClosed) {
		t.Errorf("commit discarded staging: %v", err)
	}
	if err := s.Commit(ctx, nil, rec); !errors.Is(err, ErrStagingClosed) {
		t.Errorf("commit nil staging: %v", err)
	}
	ost, _ := other.Stage(ctx)
	defer ost.Discard()
	if err := s.Commit(ctx, ost, rec); !errors.Is(err, ErrStagingClosed) {
		t.Errorf("commit another store's staging: %v", err)
	}
	st2, _ := s.Stage(ctx)
	writeTree(st2.Dir(), rec.ID, rec.Version)
	if err := s.Commit(ctx, st2, rec); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, st2, Plugin{ID: "com.example.b", Version: "1.0.0"}); !errors.Is(err, ErrStagingClosed) {
		t.Errorf("commit a staging twice: %v", err)
	}
}

func TestCommitRefusesSymlink(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t, Options{})
	st, _ := s.Stage(t.Context())
	defer st.Discard()
	writeTree(st.Dir(), "com.example.a", "1.0.0")
	if err := os.Symlink("/etc/passwd", filepath.Join(st.Dir(), "ui", "x")); err != nil {
		t.Fatal(err)
	}
	err := s.Commit(t.Context(), st, Plugin{ID: "com.example.a", Version: "1.0.0"})
	if !errors.Is(err, ErrBadTree) {
		t.Fatalf("commit tree with symlink: %v, want ErrBadTree", err)
	}
	if _, err := s.Get("com.example.a"); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("refused commit left a record: %v", err)
	}
}

func TestCommitCanceled(t *testing.T) {
	t.Parallel()
	s, profile := newStore(t, Options{})
	st, _ := s.Stage(t.Context())
	defer st.Discard()
	writeTree(st.Dir(), "com.example.a", "1.0.0")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.Commit(ctx, st, Plugin{ID: "com.example.a", Version: "1.0.0"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("commit with canceled ctx: %v", err)
	}
	if _, err := os.Stat(s.Dir("com.example.a", "1.0.0")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("canceled commit moved the tree: %v", err)
	}
	if err := st.Discard(); err != nil {
		t.Fatal(err)
	}
	if got := dirNames(t, filepath.Join(profile, "staging")); len(got) != 0 {
		t.Errorf("staging after discard: %v", got)
	}
}

func TestCommitRecordFailureUndoesMove(t *testing.T) {
	t.Parallel()
	s, profile := newStore(t, Options{})
	mustInstall(t, s, "com.example.a", "1.0.0")
	st, _ := s.Stage(t.Context())
	defer st.Discard()
	writeTree(st.Dir(), "com.example.a", "1.1.0")
	// A read-only handle lets Commit read the old record and move the
	// tree, then fails the record write.
	if err := s.db.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := bbolt.Open(filepath.Join(profile, "state.db"), 0o600, &bbolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	s.db = ro
	err = s.Commit(t.Context(), st, Plugin{ID: "com.example.a", Version: "1.1.0"})
	if !errors.Is(err, bolterrors.ErrDatabaseReadOnly) {
		t.Fatalf("commit on a read-only database: %v", err)
	}
	if _, err := os.Stat(s.Dir("com.example.a", "1.1.0")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("failed commit left the version dir: %v", err)
	}
	if err := checkTree(s.Dir("com.example.a", "1.0.0"), "com.example.a", "1.0.0"); err != nil {
		t.Errorf("failed commit touched the current version: %v", err)
	}
	if p := mustGet(t, s, "com.example.a"); p.Version != "1.0.0" {
		t.Errorf("record changed: %+v", p)
	}
}
