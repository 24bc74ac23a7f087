package audit

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"go.etcd.io/bbolt"
)

var (
	// bucketLog holds one nested bucket per plugin.
	bucketLog = []byte("audit_log")
	// bucketOld is the single global bucket of earlier versions; Open moves
	// its entries into bucketLog and deletes it.
	bucketOld = []byte("audit")
)

// bucketName is the nested bucket of plugin's entries. The prefix keeps the
// name non-empty for the core's entries (empty plugin) and the mapping
// one-to-one.
func bucketName(plugin string) []byte {
	return append([]byte{'p'}, plugin...)
}

// pluginOf inverts bucketName.
func pluginOf(name []byte) string { return string(name[1:]) }

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

// migrate moves the entries of the single-bucket layout into per-plugin
// buckets, keeping their sequence numbers, and drops the old bucket.
func migrate(tx *bbolt.Tx, top *bbolt.Bucket) error {
	old := tx.Bucket(bucketOld)
	if old == nil {
		return nil
	}
	err := old.ForEach(func(k, v []byte) error {
		var e struct {
			Plugin string `json:"plugin"`
		}
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("migrate entry %x: %w", k, err)
		}
		b, err := top.CreateBucketIfNotExists(bucketName(e.Plugin))
		if err != nil {
			return err
		}
		return b.Put(append([]byte(nil), k...), append([]byte(nil), v...))
	})
	if err != nil {
		return err
	}
	return tx.DeleteBucket(bucketOld)
}

// buckets calls fn for every plugin's nested bucket in top.
func buckets(top *bbolt.Bucket, fn func(plugin string, b *bbolt.Bucket) error) error {
	return top.ForEach(func(k, v []byte) error {
		if v != nil || len(k) == 0 {
			return nil // not a nested bucket
		}
		b := top.Bucket(k)
		if b == nil {
			return errors.New("audit bucket vanished")
		}
		return fn(pluginOf(k), b)
	})
}

// trimOldest deletes the oldest entries of b, which holds count keys, so
// that at most max remain, and returns the new count.
func trimOldest(b *bbolt.Bucket, count, max int) (int, error) {
	excess := count - max
	if excess <= 0 {
		return count, nil
	}
	// Collect first: deleting under a live cursor can skip keys in bbolt.
	keys := make([][]byte, 0, excess)
	c := b.Cursor()
	for k, _ := c.First(); k != nil && len(keys) < excess; k, _ = c.Next() {
		keys = append(keys, append([]byte(nil), k...))
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return count, err
		}
	}
	return count - len(keys), nil
}
