package store

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

// quiet discards the store's logs in tests.
var quiet = slog.New(slog.DiscardHandler)

// treeFiles is the file list of every fake bundle tree.
var treeFiles = []string{"backend.wasm", "manifest.json", "ui/app.js", "ui/index.html"}

// treeContent is the deterministic content of one file of a fake tree, so a
// check can tell a complete tree from a torn or mixed one.
func treeContent(id, version, name string) []byte {
	line := fmt.Sprintf("%s %s %s\n", id, version, name)
	n := 1
	if name == "backend.wasm" {
		n = 2048 // ~64 KiB: big enough that a write can be cut short
	}
	return bytes.Repeat([]byte(line), n)
}

// writeTree writes a fake extracted bundle of id at version into dir.
func writeTree(dir, id, version string) error {
	for _, name := range treeFiles {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(p, treeContent(id, version, name), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// checkTree reports whether dir holds exactly the fake tree of id at version.
func checkTree(dir, id, version string) error {
	var got []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		got = append(got, filepath.ToSlash(rel))
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if !bytes.Equal(b, treeContent(id, version, filepath.ToSlash(rel))) {
			return fmt.Errorf("%s: wrong content (%d bytes)", rel, len(b))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("tree %s: %w", dir, err)
	}
	slices.Sort(got)
	if !slices.Equal(got, treeFiles) {
		return fmt.Errorf("tree %s: files %v, want %v", dir, got, treeFiles)
	}
	return nil
}

// openDB opens a state file like the host does.
func openDB(t testing.TB, profile string) *bbolt.DB {
	t.Helper()
	db, err := openDBErr(profile)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// openDBErr is openDB for the crash test's child, which has no testing.TB.
func openDBErr(profile string) (*bbolt.DB, error) {
	return bbolt.Open(filepath.Join(profile, "state.db"), 0o600, &bbolt.Options{Timeout: 5 * time.Second})
}

// newStore opens a store on a fresh profile.
func newStore(t testing.TB, opts Options) (*Store, string) {
	t.Helper()
	profile := t.TempDir()
	db := openDB(t, profile)
	t.Cleanup(func() { db.Close() })
	if opts.Logger == nil {
		opts.Logger = quiet
	}
	s, err := OpenOptions(db, profile, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s, profile
}

// install stages a fake tree of id at version and commits it with rec's
// other fields.
func install(ctx context.Context, s *Store, rec Plugin) error {
	st, err := s.Stage(ctx)
	if err != nil {
		return err
	}
	defer st.Discard()
	if err := writeTree(st.Dir(), rec.ID, rec.Version); err != nil {
		return err
	}
	return s.Commit(ctx, st, rec)
}

// mustInstall is install that fails the test on error.
func mustInstall(t testing.TB, s *Store, id, version string) {
	t.Helper()
	if err := install(t.Context(), s, Plugin{ID: id, Version: version, Enabled: true}); err != nil {
		t.Fatal(err)
	}
}

// mustGet is Get that fails the test on error.
func mustGet(t testing.TB, s *Store, id string) Plugin {
	t.Helper()
	p, err := s.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// dirNames lists the names in dir, sorted; a missing dir has none.
func dirNames(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := readDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
