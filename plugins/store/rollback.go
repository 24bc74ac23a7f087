package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"go.etcd.io/bbolt"

	"github.com/wardenhq/warden/internal/atomicfile"
)

// Rollback makes the newest kept version of plugin id current and keeps the
// version that was current in its place, in one write transaction; a second
// Rollback returns. The signer key each was installed with moves with it
// (SignerKey and KeptSigners). It clears Pending, since those permissions were asked by
// the version rolled back from (the caller recomputes them for the version
// it returns to, and decides about Enabled, which Rollback leaves alone).
// It fails with ErrNotInstalled, ErrNoPrevious, or ErrMissingFiles when the
// kept version's directory is gone. The caller holds [Store.Lock].
func (s *Store) Rollback(ctx context.Context, id string) (Plugin, error) {
	if err := ctx.Err(); err != nil {
		return Plugin{}, fmt.Errorf("rollback %s: %w", id, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out Plugin
	err := s.db.Update(func(tx *bbolt.Tx) error {
		p, err := getTx(tx, id)
		if err != nil {
			return err
		}
		if len(p.Previous) == 0 {
			return fmt.Errorf("%w: %s %s is the only version installed", ErrNoPrevious, id, p.Version)
		}
		target := p.Previous[0]
		if fi, err := os.Stat(s.Dir(id, target)); err != nil || !fi.IsDir() {
			return fmt.Errorf("%w: %s; install %s %s again", ErrMissingFiles, s.Dir(id, target), id, target)
		}
		kept := p.KeptSigners
		p.KeptSigners = map[string]string{}
		for v, k := range kept {
			if v != target {
				p.KeptSigners[v] = k
			}
		}
		if p.SignerKey != "" {
			p.KeptSigners[p.Version] = p.SignerKey
		}
		if len(p.KeptSigners) == 0 {
			p.KeptSigners = nil
		}
		// The version returned to is bound to the key it was installed
		// with, as it was before the update.
		p.SignerKey = kept[target]
		p.Signer = signerID(p.SignerKey)
		p.Previous = append([]string{p.Version}, p.Previous[1:]...)
		p.Version = target
		p.Pending = nil
		p.UpdatedAt = s.now()
		out = p
		return putTx(tx, p)
	})
	if err != nil {
		return Plugin{}, fmt.Errorf("rollback %s: %w", id, err)
	}
	return out.clone(), nil
}

// Uninstall deletes the record of plugin id in one write transaction, then
// removes <profile>/plugins/<id>/. A crash in between leaves a directory no
// record names, which recovery removes. The plugin's storage and audit
// entries are not this package's; purge them separately. The caller holds
// [Store.Lock]. It fails with ErrNotInstalled.
func (s *Store) Uninstall(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("uninstall %s: %w", id, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.db.Update(func(tx *bbolt.Tx) error {
		// The record need not decode: uninstalling is how a user gets rid
		// of one this build cannot read.
		if err := checkID(id); err != nil {
			return err
		}
		b := tx.Bucket(bucketInstalled)
		if b.Get([]byte(id)) == nil {
			return fmt.Errorf("%s: %w (see warden list)", id, ErrNotInstalled)
		}
		return b.Delete([]byte(id))
	})
	if err != nil {
		return fmt.Errorf("uninstall %s: %w", id, err)
	}
	// checkID passed, so the join stays inside plugins/.
	if err := s.removeTree(ctx, filepath.Join(s.root, id), "uninstalled"); err != nil {
		return fmt.Errorf("uninstall %s: record removed, files left for the next start to remove: %w", id, err)
	}
	if err := atomicfile.SyncDir(s.root); err != nil {
		s.log.WarnContext(ctx, "plugin store: sync", "err", err)
	}
	return nil
}
