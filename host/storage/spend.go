package storage

import "go.etcd.io/bbolt"

// spentCache remembers, for one write transaction, what each plugin's
// committed keys take on disk. Only write transactions use it, and bbolt
// runs those one at a time.
type spentCache struct {
	tx     int // the write transaction the figures belong to
	plugin map[string]int64
}

// spent returns the bytes of state file pages that plugin's bucket b really
// occupies as of the last commit, from bbolt's bucket statistics. The walk
// costs about 0.2 ms for 10 MB of keys, so it is done at most once per
// plugin and transaction. A rolled-back transaction's id is reused by the
// next one, which sees the same committed pages, so the figure stays valid.
func (s *Store) spent(tx *bbolt.Tx, b *bbolt.Bucket, plugin string) int64 {
	c := &s.spentCache
	if c.tx != tx.ID() || c.plugin == nil {
		c.tx = tx.ID()
		c.plugin = map[string]int64{}
	}
	if n, ok := c.plugin[plugin]; ok {
		return n
	}
	st := b.Stats()
	n := int64(st.BranchAlloc + st.LeafAlloc + st.InlineBucketInuse)
	c.plugin[plugin] = n
	return n
}
