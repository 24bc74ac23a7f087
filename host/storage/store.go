// Package storage keeps each plugin's key/value data in the shared bbolt
// state file, with a per-plugin byte quota that is accounted transactionally.
//
// The layout is:
//
//	storage/<plugin id>/<key> = value      (one nested bucket per plugin)
//	storage_usage/<plugin id> = uint64 BE  (sum of len(key)+len(value))
//
// Usage lives in the same transaction as the data it counts, so it stays exact
// across crashes without a rescan. The mediator calls this package only after
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
)

// Store is a per-plugin key/value store on a shared bbolt database.
// It is safe for concurrent use; bbolt serialises writers.
type Store struct {
	db *bbolt.DB
}

// Open prepares db for storage use, creating the top-level buckets if they
// are missing. It costs one write transaction (an fsync).
func Open(db *bbolt.DB) (*Store, error) {
	if db == nil {
		return nil, errors.New("open storage: nil database")
	}
	err := db.Update(func(tx *bbolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(bucketData); err != nil {
			return err
		}
		_, err := tx.CreateBucketIfNotExists(bucketUsage)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("open storage: %w", err)
	}
	return &Store{db: db}, nil
}

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
// len(key)+len(value) over its keys; if the write would raise usage above
// quota it fails with ErrQuotaExceeded and changes nothing. quota <= 0 means
// no limit. A write that does not raise usage is allowed even when the plugin
// is already above a quota that was lowered later, so it can always shrink.
// Set costs one write transaction (an fsync).
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
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.Bucket(bucketData).CreateBucketIfNotExists([]byte(plugin))
		if err != nil {
			return err
		}
		usage := readUsage(tx, plugin)
		next := usage + int64(len(key)+len(value))
		if old := b.Get(bytesOf(key)); old != nil {
			next -= int64(len(key) + len(old))
		}
		if quota > 0 && next > quota && next > usage {
			return fmt.Errorf("%d of %d bytes: %w", next, quota, ErrQuotaExceeded)
		}
		if err := b.Put([]byte(key), value); err != nil {
			return err
		}
		return writeUsage(tx, plugin, next)
	})
	if err != nil {
		return fmt.Errorf("storage set: %w", err)
	}
	return nil
}

// Delete removes key for plugin. A missing key is not an error. It costs one
// write transaction.
func (s *Store) Delete(plugin, key string) error {
	if err := checkPlugin(plugin); err != nil {
		return err
	}
	if err := CheckKey(key); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := pluginBucket(tx, plugin)
		if b == nil {
			return nil
		}
		old := b.Get(bytesOf(key))
		if old == nil {
			return nil
		}
		next := readUsage(tx, plugin) - int64(len(key)+len(old))
		if err := b.Delete([]byte(key)); err != nil {
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

// Usage returns plugin's stored bytes (sum of len(key)+len(value)). It is a
// single read of the usage bucket, not a scan.
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
	err := s.db.Update(func(tx *bbolt.Tx) error {
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
