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

// Commit installs the tree staged in st as version rec.Version of plugin
// rec.ID: the atomic step of an install or update. It fsyncs the staged
// tree, renames it to Dir(rec.ID, rec.Version), fsyncs the parent
// directories, then writes the record in one bbolt transaction; that
// transaction is the commit point. The caller holds [Store.Lock].
//
// From rec, Commit takes every field except Previous, KeptSigners, Signer,
// InstalledAt and UpdatedAt: the version that was current moves to the
// front of Previous (and its SignerKey into KeptSigners), which is cut to
// the store's Keep limit (the dropped versions' directories are removed
// after the transaction); InstalledAt is kept from the old record (now on
// a first install); UpdatedAt is now; Signer is SignerKey's id. Callers
// that carry grants or a range over an update copy them from Get into rec.
//
// If rec.Version is the current or a kept version, Commit fails with
// ErrAlreadyInstalled and leaves st for the caller to discard. A directory
// of that version that no record names (left by a crash) is replaced. If ctx
// is done before the rename, nothing changes. On success st is consumed.
func (s *Store) Commit(ctx context.Context, st *Staging, rec Plugin) error {
	if st == nil || st.s != s {
		return fmt.Errorf("commit: %w", ErrStagingClosed)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.done {
		return fmt.Errorf("commit: %w", ErrStagingClosed)
	}
	rec = rec.clone()
	rec.Previous, rec.KeptSigners = nil, nil
	rec.Signer = signerID(rec.SignerKey)
	if err := rec.check(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	id, version := rec.ID, rec.Version

	old, err := s.Get(id)
	installed := err == nil
	if err != nil && !errors.Is(err, ErrNotInstalled) {
		return fmt.Errorf("commit %s %s: %w", id, version, err)
	}
	if installed && slices.Contains(old.versions(), version) {
		what := "the current version"
		if old.Version != version {
			what = "kept for rollback"
		}
		return fmt.Errorf("commit %s %s: %w (%s); use rollback, or uninstall first to reinstall",
			id, version, ErrAlreadyInstalled, what)
	}

	if err := syncTree(st.dir); err != nil {
		return fmt.Errorf("commit %s %s: staged tree: %w", id, version, err)
	}
	pluginDir := filepath.Join(s.root, id)
	if err := os.MkdirAll(pluginDir, 0o700); err != nil {
		return fmt.Errorf("commit %s %s: %w", id, version, err)
	}
	if err := atomicfile.SyncDir(s.root); err != nil {
		return fmt.Errorf("commit %s %s: %w", id, version, err)
	}
	dst := s.Dir(id, version)
	if _, err := os.Lstat(dst); err == nil {
		// No record names it (checked above, under s.mu and the caller's
		// lock): a crash's leftover.
		if err := s.removeTree(ctx, dst, "unreferenced leftover replaced by commit"); err != nil {
			return fmt.Errorf("commit %s %s: %w", id, version, err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("commit %s %s: %w", id, version, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("commit %s %s: %w", id, version, err)
	}

	// Point of no return for the files: from here a failure leaves an
	// unreferenced directory that is removed below or by recovery.
	if err := os.Rename(st.dir, dst); err != nil {
		return fmt.Errorf("commit %s %s: move into place: %w", id, version, err)
	}
	st.done = true
	s.release(st.dir)
	if err := atomicfile.SyncDir(pluginDir); err != nil {
		return s.undoMove(ctx, dst, fmt.Errorf("commit %s %s: %w", id, version, err))
	}
	if err := atomicfile.SyncDir(s.staging); err != nil {
		return s.undoMove(ctx, dst, fmt.Errorf("commit %s %s: %w", id, version, err))
	}

	now := s.now()
	rec.UpdatedAt = now
	rec.InstalledAt = now
	var dropped []string
	if installed {
		rec.InstalledAt = old.InstalledAt
		kept := old.versions()
		if len(kept) > s.keep {
			kept, dropped = kept[:s.keep], kept[s.keep:]
		}
		rec.Previous = kept
		rec.KeptSigners = keptSigners(old, kept)
	}
	err = s.db.Update(func(tx *bbolt.Tx) error { return putTx(tx, rec) })
	if err != nil {
		return s.undoMove(ctx, dst, fmt.Errorf("commit %s %s: write record: %w", id, version, err))
	}

	// Committed. Failing to remove dropped versions is not an error of the
	// install: recovery retries.
	for _, v := range dropped {
		if err := s.removeTree(ctx, s.Dir(id, v), "version beyond keep limit"); err != nil {
			s.log.WarnContext(ctx, "plugin store: remove old version", "plugin", id, "version", v, "err", err)
		}
	}
	if len(dropped) > 0 {
		if err := atomicfile.SyncDir(pluginDir); err != nil {
			s.log.WarnContext(ctx, "plugin store: sync", "err", err)
		}
	}
	return nil
}

// keptSigners returns the signer keys of the kept versions of old (its
// current one included), for a record whose Previous is kept.
func keptSigners(old Plugin, kept []string) map[string]string {
	out := map[string]string{}
	for _, v := range kept {
		k := old.KeptSigners[v]
		if v == old.Version {
			k = old.SignerKey
		}
		if k != "" {
			out[v] = k
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// undoMove removes a moved version directory after the commit failed, so
// nothing half-installed stays visible on disk, and returns cause.
func (s *Store) undoMove(ctx context.Context, dst string, cause error) error {
	if err := s.removeTree(ctx, dst, "commit failed"); err != nil {
		s.log.WarnContext(ctx, "plugin store: undo failed commit; recovery will remove it", "path", dst, "err", err)
	}
	return cause
}
