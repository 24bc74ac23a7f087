// Package storage keeps each plugin's key/value data in the shared bbolt
// state file, with a per-plugin byte quota that is accounted transactionally.
//
// The layout is:
//
//	storage/<plugin id>/<key> = value      (one nested bucket per plugin)
//	storage_usage/<plugin id> = uint64 BE  (sum of the keys' costs)
//	storage_meta/usage = how usage is counted (see usageFormat)
//
// A key's cost is what it really takes in the state file, page overhead
// included (see cost), so many tiny keys cannot hold far more disk than the
// quota says. Usage lives in the same transaction as the data it counts, so
// it stays exact across crashes without a rescan.
//
// Writes of all plugins are committed together (see batcher), so one
// plugin's write storm costs other plugins' writes at most one extra commit
// rather than a queue of fsyncs. The mediator calls this package only after
// the permission decision; the package still validates every key and bound.
package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unsafe"

	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

var (
	bucketData  = []byte("storage")
	bucketUsage = []byte("storage_usage")
	bucketMeta  = []byte("storage_meta")
	keyFormat   = []byte("usage")
)

// Store is a per-plugin key/value store on a shared bbolt database.
// It is safe for concurrent use.
type Store struct {
	db       *bbolt.DB
	pageSize int
	w        batcher

	spentCache spentCache // see spent
}

// Open prepares db for storage use, creating the top-level buckets if they
// are missing. It costs one write transaction (an fsync); when the usage
// records were counted another way (an older version, or a state file of
// another page size) it also recounts every plugin's usage, one pass over
// all stored keys.
func Open(db *bbolt.DB) (*Store, error) {
	if db == nil {
		return nil, errors.New("open storage: nil database")
	}
	s := &Store{db: db, pageSize: db.Info().PageSize, w: batcher{db: db}}
	err := db.Update(func(tx *bbolt.Tx) error {
		for _, name := range [][]byte{bucketData, bucketUsage, bucketMeta} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return s.recount(tx)
	})
	if err != nil {
		return nil, fmt.Errorf("open storage: %w", err)
	}
	return s, nil
}

// usageFormat names how usage records are counted; a change to cost or a
// different page size must change it so Open recounts.
func (s *Store) usageFormat() []byte {
	return fmt.Appendf(nil, "cost-v1/page-%d", s.pageSize)
}

// recount rewrites every plugin's usage with the current cost unless the
// records already use it.
func (s *Store) recount(tx *bbolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	format := s.usageFormat()
	if string(meta.Get(keyFormat)) == string(format) {
		return nil
	}
	data, usage := tx.Bucket(bucketData), tx.Bucket(bucketUsage)
	var plugins [][]byte
	if err := usage.ForEach(func(k, _ []byte) error {
		plugins = append(plugins, append([]byte(nil), k...))
		return nil
	}); err != nil {
		return err
	}
	for _, p := range plugins {
		if err := usage.Delete(p); err != nil {
			return err
		}
	}
	err := data.ForEach(func(name, v []byte) error {
		b := data.Bucket(name)
		if v != nil || b == nil {
			return nil
		}
		var n int64
		if err := b.ForEach(func(k, v []byte) error {
			n += s.cost(len(k), len(v))
			return nil
		}); err != nil {
			return err
		}
		return writeUsage(tx, string(name), n)
	})
	if err != nil {
		return err
	}
	return meta.Put(keyFormat, format)
}

// cost is what key and value take out of the quota; see the cost function.
func (s *Store) cost(keyLen, valueLen int) int64 { return cost(s.pageSize, keyLen, valueLen) }

// Cost returns the bytes a key of keyLen bytes holding valueLen bytes
// counts against a plugin's quota: the key and value plus bbolt's per-key
// header and page slack, so it is always more than keyLen+valueLen. It is
// a few arithmetic operations.
func (s *Store) Cost(keyLen, valueLen int) int64 { return s.cost(keyLen, valueLen) }

// Get returns a copy of the value stored under key for plugin, and whether it
// was found. It runs one read transaction and allocates only the copy.
func (s *Store) Get(plugin, key string) (value []byte, found bool, err error) {
	if err := checkPlugin(plugin); err != nil {
		return nil, false, err
	}
	if err := CheckKey(key); err != nil {
		return nil, false, err
	}
	err = s.db.View(func(tx *bbolt.Tx) error {
		b := pluginBucket(tx, plugin)
		if b == nil {
			return nil
		}
		v := b.Get(bytesOf(key))
		if v == nil {
			return nil
		}
		// bbolt's slice is only valid inside the transaction.
		value = append(make([]byte, 0, len(v)), v...)
		found = true
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("storage get: %w", err)
	}
	return value, found, nil
}

// Set stores value under key for plugin. The plugin's usage is the sum of
// its keys' costs (see Cost); if the write would raise usage above quota,
// or (once usage passes a quarter of the quota) raise the pages its keys
// really occupy above quota, it fails with ErrQuotaExceeded and changes
// nothing. quota <= 0 means no
// limit. A write that does not raise usage is allowed even when the plugin
// is already above a quota that was lowered later, so it can always shrink.
// Set costs a share of one write transaction (an fsync) with the writes
// waiting at the same time.
func (s *Store) Set(plugin, key string, value []byte, quota int64) error {
	if err := checkPlugin(plugin); err != nil {
		return err
	}
	if err := CheckKey(key); err != nil {
		return err
	}
	if len(value) > MaxValue {
		return fmt.Errorf("storage set: %d bytes: %w", len(value), ErrValueTooLarge)
	}
	k := []byte(key) // bbolt keeps Put's key until the commit
	err := s.w.do(plugin, func(tx *bbolt.Tx) error {
		b := pluginBucket(tx, plugin)
		usage := readUsage(tx, plugin)
		next := usage + s.cost(len(k), len(value))
		if b != nil {
			if old := b.Get(k); old != nil {
				next -= s.cost(len(k), len(old))
			}
		}
		// Refuse before changing anything: see batcher.do.
		if quota > 0 && next > usage {
			if next > quota {
				return fmt.Errorf("%d of %d bytes: %w", next, quota, ErrQuotaExceeded)
			}
			// The cost covers the usual page layouts; keys sized and
			// ordered to leave pages nearly empty can take up to about
			// twice as much. Past a quarter of the quota, the pages
			// really in use are counted too.
			if b != nil && next > quota/4 {
				if real := s.spent(tx, b, plugin) + next - usage; real > quota {
					return fmt.Errorf("%d of %d bytes on disk: %w", real, quota, ErrQuotaExceeded)
				}
			}
		}
		if b == nil {
			var err error
			if b, err = tx.Bucket(bucketData).CreateBucket([]byte(plugin)); err != nil {
				return err
			}
		}
		if err := b.Put(k, value); err != nil {
			return err
		}
		return writeUsage(tx, plugin, next)
	})
	if err != nil {
		return fmt.Errorf("storage set: %w", err)
	}
	return nil
}

// Delete removes key for plugin. A missing key is not an error. It costs a
// share of one write transaction, like Set.
func (s *Store) Delete(plugin, key string) error {
	if err := checkPlugin(plugin); err != nil {
		return err
	}
	if err := CheckKey(key); err != nil {
		return err
	}
	k := []byte(key)
	err := s.w.do(plugin, func(tx *bbolt.Tx) error {
		b := pluginBucket(tx, plugin)
		if b == nil {
			return nil
		}
		old := b.Get(k)
		if old == nil {
			return nil
		}
		next := readUsage(tx, plugin) - s.cost(len(k), len(old))
		if err := b.Delete(k); err != nil {
			return err
		}
		return writeUsage(tx, plugin, next)
	})
	if err != nil {
		return fmt.Errorf("storage delete: %w", err)
	}
	return nil
}

// List returns up to limit of plugin's keys that start with prefix, in byte
// order. limit <= 0 means DefaultList; limits above MaxList are capped so a
// single call stays bounded.
func (s *Store) List(plugin, prefix string, limit int) ([]string, error) {
	if err := checkPlugin(plugin); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = DefaultList
	}
	limit = min(limit, MaxList)
	keys := []string{}
	if len(prefix) > MaxKey {
		return keys, nil // no valid key can have it
	}
	p := bytesOf(prefix)
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := pluginBucket(tx, plugin)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, _ := c.Seek(p); k != nil && len(keys) < limit; k, _ = c.Next() {
			if !hasPrefix(k, p) {
				break
			}
			keys = append(keys, string(k))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage list: %w", err)
	}
	return keys, nil
}

// Usage returns the bytes plugin's keys count against its quota (the sum of
// their costs, see Cost). It is a single read of the usage bucket, not a
// scan.
func (s *Store) Usage(plugin string) (int64, error) {
	if err := checkPlugin(plugin); err != nil {
		return 0, err
	}
	var n int64
	err := s.db.View(func(tx *bbolt.Tx) error {
		n = readUsage(tx, plugin)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("storage usage: %w", err)
	}
	return n, nil
}

// Purge deletes all of plugin's keys and its usage record, for uninstall.
// Purging a plugin with no data is not an error.
func (s *Store) Purge(plugin string) error {
	if err := checkPlugin(plugin); err != nil {
		return err
	}
	err := s.w.do(plugin, func(tx *bbolt.Tx) error {
		delete(s.spentCache.plugin, plugin) // its pages are gone from here on
		err := tx.Bucket(bucketData).DeleteBucket([]byte(plugin))
		if err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
			return err
		}
		return tx.Bucket(bucketUsage).Delete([]byte(plugin))
	})
	if err != nil {
		return fmt.Errorf("storage purge: %w", err)
	}
	return nil
}

func pluginBucket(tx *bbolt.Tx, plugin string) *bbolt.Bucket {
	top := tx.Bucket(bucketData)
	if top == nil {
		return nil
	}
	return top.Bucket(bytesOf(plugin))
}

func readUsage(tx *bbolt.Tx, plugin string) int64 {
	v := tx.Bucket(bucketUsage).Get(bytesOf(plugin))
	if len(v) != 8 {
		return 0
	}
	return int64(binary.BigEndian.Uint64(v))
}

func writeUsage(tx *bbolt.Tx, plugin string, n int64) error {
	b := tx.Bucket(bucketUsage)
	if n <= 0 {
		return b.Delete([]byte(plugin))
	}
	return b.Put([]byte(plugin), binary.BigEndian.AppendUint64(nil, uint64(n)))
}

// bytesOf views s as bytes without copying. Only for bbolt lookups (Get,
// Seek, Bucket), which read the key and never keep or modify it; Put and
// Delete get real copies because bbolt holds on to those until commit.
func bytesOf(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

func hasPrefix(b, p []byte) bool {
	return len(b) >= len(p) && string(b[:len(p)]) == string(p)
}
