package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/wardenhq/warden/permissions"
	"go.etcd.io/bbolt"
)

var bucketInstalled = []byte("installed")

// Keep limits for [Options.Keep].
const (
	// DefaultKeep is how many previous versions are kept for rollback when
	// Options.Keep is zero.
	DefaultKeep = 2
	// MaxKeep is the largest accepted Options.Keep.
	MaxKeep = 3
)

// Options tunes a Store. The zero value takes the defaults.
type Options struct {
	// Keep is how many previous versions each plugin keeps for rollback,
	// 1 to MaxKeep; 0 means DefaultKeep.
	Keep int
	// Logger receives recovery and cleanup messages; nil means slog.Default.
	Logger *slog.Logger
}

// Store is the record of installed plugins and their files in one profile.
// It is safe for concurrent use.
type Store struct {
	db      *bbolt.DB
	profile string
	root    string // profile/plugins
	staging string // profile/staging
	keep    int
	log     *slog.Logger
	now     func() time.Time

	// mu serialises the operations that move files or change which
	// versions a record names (Commit, Rollback, Uninstall, Recover).
	mu sync.Mutex

	// sem is the in-process half of the install lock (the flock is the
	// other); one token.
	sem chan struct{}

	stMu   sync.Mutex
	active map[string]bool // staging dir names in use; Recover skips them
}

// Open prepares db and profile for the store: it creates the "installed"
// bucket and the plugins/ and staging/ directories, then runs recovery (see
// [Store.Recover]) if the install lock is free at once. It costs one write
// transaction plus a scan of plugins/.
func Open(db *bbolt.DB, profile string) (*Store, error) {
	return OpenOptions(db, profile, Options{})
}

// OpenOptions is [Open] with options.
func OpenOptions(db *bbolt.DB, profile string, opts Options) (*Store, error) {
	if db == nil {
		return nil, errors.New("open plugin store: nil database")
	}
	switch {
	case opts.Keep == 0:
		opts.Keep = DefaultKeep
	case opts.Keep < 1 || opts.Keep > MaxKeep:
		return nil, fmt.Errorf("open plugin store: keep %d: must be 1 to %d", opts.Keep, MaxKeep)
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	abs, err := filepath.Abs(profile)
	if err != nil {
		return nil, fmt.Errorf("open plugin store: %w", err)
	}
	s := &Store{
		db:      db,
		profile: abs,
		root:    filepath.Join(abs, "plugins"),
		staging: filepath.Join(abs, "staging"),
		keep:    opts.Keep,
		log:     opts.Logger,
		now:     time.Now,
		sem:     make(chan struct{}, 1),
		active:  map[string]bool{},
	}
	for _, dir := range []string{s.root, s.staging} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("open plugin store: %w", err)
		}
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketInstalled)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("open plugin store: %w", err)
	}
	l, err := s.tryLock()
	switch {
	case errors.Is(err, ErrBusy):
		s.log.Info("plugin store: install lock held elsewhere, recovery skipped", "profile", s.profile)
		return s, nil
	case err != nil:
		return nil, fmt.Errorf("open plugin store: %w", err)
	}
	defer l.Unlock()
	if _, err := s.recoverLocked(); err != nil {
		return nil, fmt.Errorf("open plugin store: %w", err)
	}
	return s, nil
}

// Profile returns the absolute profile directory.
func (s *Store) Profile() string { return s.profile }

// Keep returns how many previous versions each plugin keeps.
func (s *Store) Keep() int { return s.keep }

// Dir returns the directory of one installed version,
// <profile>/plugins/<id>/<version>. It does not check that it exists; id
// and version must be valid, as they are in every record.
func (s *Store) Dir(id, version string) string {
	return filepath.Join(s.root, id, version)
}

// Get returns the record of plugin id, or an error wrapping ErrNotInstalled.
// It costs one read transaction.
func (s *Store) Get(id string) (Plugin, error) {
	var p Plugin
	err := s.db.View(func(tx *bbolt.Tx) error {
		var err error
		p, err = getTx(tx, id)
		return err
	})
	if err != nil {
		return Plugin{}, fmt.Errorf("get plugin: %w", err)
	}
	return p, nil
}

// List returns every record sorted by id. It costs one read transaction
// that decodes every record.
func (s *Store) List() ([]Plugin, error) {
	var out []Plugin
	err := s.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketInstalled).ForEach(func(k, v []byte) error {
			p, err := decodeRecord(v)
			if err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			out = append(out, p)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list plugins: %w", err)
	}
	// bbolt iterates in byte order, which is id order; sort anyway so the
	// contract does not hang on that.
	slices.SortFunc(out, func(a, b Plugin) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	return out, nil
}

// Modify changes the record of plugin id in one write transaction: fn gets
// a copy and edits it in place; returning an error aborts with no change.
// fn may not change ID, Version, Previous, SignerKey, KeptSigners or
// InstalledAt (they follow the files; use Commit or Rollback), or the change fails with ErrInvalidRecord.
// Modify returns the stored record.
func (s *Store) Modify(id string, fn func(*Plugin) error) (Plugin, error) {
	var out Plugin
	err := s.db.Update(func(tx *bbolt.Tx) error {
		old, err := getTx(tx, id)
		if err != nil {
			return err
		}
		p := old.clone()
		if err := fn(&p); err != nil {
			return err
		}
		if p.ID != old.ID || p.Version != old.Version || !slices.Equal(p.Previous, old.Previous) ||
			!p.InstalledAt.Equal(old.InstalledAt) || p.SignerKey != old.SignerKey || !maps.Equal(p.KeptSigners, old.KeptSigners) {
			return fmt.Errorf("%w: id, version, kept versions, signer keys and install time change only by commit or rollback", ErrInvalidRecord)
		}
		if err := p.check(); err != nil {
			return err
		}
		out = p
		return putTx(tx, p)
	})
	if err != nil {
		return Plugin{}, fmt.Errorf("modify plugin %s: %w", id, err)
	}
	return out.clone(), nil
}

// SetEnabled enables or disables plugin id. reason is kept when disabling
// and cleared when enabling. It costs one write transaction.
func (s *Store) SetEnabled(id string, enabled bool, reason string) error {
	_, err := s.Modify(id, func(p *Plugin) error {
		p.Enabled = enabled
		p.DisabledReason = ""
		if !enabled {
			p.DisabledReason = reason
		}
		return nil
	})
	return err
}

// SetGrants replaces the consent records of plugin id. It costs one write
// transaction.
func (s *Store) SetGrants(id string, grants permissions.Grants) error {
	_, err := s.Modify(id, func(p *Plugin) error {
		p.Grants = grants
		return nil
	})
	return err
}

// SetPending replaces the permissions of plugin id that wait for approval
// (nil when there are none). It does not change Enabled; see Modify to do
// both at once. It costs one write transaction.
func (s *Store) SetPending(id string, perms []string) error {
	_, err := s.Modify(id, func(p *Plugin) error {
		p.Pending = perms
		return nil
	})
	return err
}

// getTx reads and decodes one record.
func getTx(tx *bbolt.Tx, id string) (Plugin, error) {
	v := tx.Bucket(bucketInstalled).Get([]byte(id))
	if v == nil {
		return Plugin{}, fmt.Errorf("%s: %w (see warden list)", id, ErrNotInstalled)
	}
	p, err := decodeRecord(v)
	if err != nil {
		return Plugin{}, fmt.Errorf("%s: %w", id, err)
	}
	return p, nil
}

// putTx checks, encodes and writes one record.
func putTx(tx *bbolt.Tx, p Plugin) error {
	if err := p.check(); err != nil {
		return err
	}
	b, err := encodeRecord(p)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketInstalled).Put([]byte(p.ID), b)
}

// removeTree removes path and everything below it, logging what it did.
func (s *Store) removeTree(ctx context.Context, path, why string) error {
	if err := os.RemoveAll(path); err != nil {
		return fmt.Errorf("remove %s: %w", path, err)
	}
	s.log.DebugContext(ctx, "plugin store: removed", "path", path, "why", why)
	return nil
}
