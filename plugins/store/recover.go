package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"go.etcd.io/bbolt"

	"github.com/wardenhq/warden/internal/atomicfile"
)

// Report says what recovery found.
type Report struct {
	// Removed lists the paths removed: staging leftovers and directories
	// under plugins/ that no record names.
	Removed []string
	// Missing lists version directories that a record names but that do not
	// exist (deleted by hand); reinstalling the plugin repairs them.
	Missing []string
}

// Recover brings the files in line with the records after a crash: it
// removes everything under staging/ (except directories staged by this
// Store that are still open) and every plugin or version directory under
// plugins/ that no record names. It never removes a directory a record
// names. It takes the install lock, waiting for ctx, so do not call it while
// holding [Store.Lock]. [Open] runs it when the lock is free.
func (s *Store) Recover(ctx context.Context) (Report, error) {
	l, err := s.Lock(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("recover: %w", err)
	}
	defer l.Unlock()
	return s.recoverLocked()
}

// recoverLocked is Recover with the install lock held.
func (s *Store) recoverLocked() (Report, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var rep Report
	remove := func(path string) error {
		if err := os.RemoveAll(path); err != nil {
			return fmt.Errorf("recover: %w", err)
		}
		rep.Removed = append(rep.Removed, path)
		return nil
	}

	staged, err := readDir(s.staging)
	if err != nil {
		return rep, fmt.Errorf("recover: %w", err)
	}
	for _, e := range staged {
		if s.isActive(e.Name()) {
			continue
		}
		if err := remove(filepath.Join(s.staging, e.Name())); err != nil {
			return rep, err
		}
	}

	refs := map[string]map[string]bool{}
	err = s.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketInstalled).ForEach(func(k, v []byte) error {
			p, err := decodeRecord(v)
			if err != nil {
				// Keep everything of a record we cannot read rather
				// than guess which directories it names.
				refs[string(k)] = nil
				return nil
			}
			set := map[string]bool{}
			for _, ver := range p.versions() {
				set[ver] = true
			}
			refs[p.ID] = set
			return nil
		})
	})
	if err != nil {
		return rep, fmt.Errorf("recover: %w", err)
	}

	ids, err := readDir(s.root)
	if err != nil {
		return rep, fmt.Errorf("recover: %w", err)
	}
	for _, e := range ids {
		versions, known := refs[e.Name()]
		pluginDir := filepath.Join(s.root, e.Name())
		switch {
		case !known:
			if err := remove(pluginDir); err != nil {
				return rep, err
			}
			continue
		case versions == nil || !e.IsDir():
			continue
		}
		entries, err := readDir(pluginDir)
		if err != nil {
			return rep, fmt.Errorf("recover: %w", err)
		}
		for _, v := range entries {
			if !versions[v.Name()] {
				if err := remove(filepath.Join(pluginDir, v.Name())); err != nil {
					return rep, err
				}
			}
		}
	}
	for id, versions := range refs {
		for v := range versions {
			if fi, err := os.Stat(s.Dir(id, v)); err != nil || !fi.IsDir() {
				rep.Missing = append(rep.Missing, s.Dir(id, v))
			}
		}
	}

	slices.Sort(rep.Missing)
	if len(rep.Removed) > 0 {
		for _, dir := range []string{s.staging, s.root} {
			if err := atomicfile.SyncDir(dir); err != nil {
				return rep, fmt.Errorf("recover: %w", err)
			}
		}
		s.log.Info("plugin store: removed leftovers of an interrupted operation", "count", len(rep.Removed))
	}
	for _, m := range rep.Missing {
		s.log.Warn("plugin store: installed version has no files; reinstall the plugin", "path", m)
	}
	return rep, nil
}

// readDir lists dir; a missing dir is empty.
func readDir(dir string) ([]os.DirEntry, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return entries, err
}
