package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"go.etcd.io/bbolt"
)

// DefaultLimit is the number of entries Query returns when Filter.Limit <= 0.
const DefaultLimit = 100

// MaxLimit caps Filter.Limit.
const MaxLimit = 10000

// Filter selects entries for Query.
type Filter struct {
	Plugin     string    // only this plugin's entries; empty for all
	DeniedOnly bool      // only denied decisions
	Since      time.Time // only entries last seen at or after Since; zero for all
	Limit      int       // at most this many entries, <= 0 means DefaultLimit
}

// Query flushes pending entries, then returns up to f.Limit matching entries,
// newest first (by Seq). With f.Plugin set it reads only that plugin's
// entries; otherwise it merges every plugin's entries by sequence number.
// A filter that matches rarely may read every stored entry.
func (l *Log) Query(ctx context.Context, f Filter) ([]Entry, error) {
	if err := l.Flush(ctx); err != nil {
		return nil, fmt.Errorf("query audit log: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	// A cheap byte test skips most allowed entries before decoding. It can
	// only match the real field: inside a JSON string every quote is
	// escaped, so `"allowed":false` never occurs within another field's text.
	needDenied := []byte(`"allowed":false`)

	out := []Entry{}
	err := l.db.View(func(tx *bbolt.Tx) error {
		top := tx.Bucket(bucketLog)
		if top == nil {
			return nil
		}
		m, err := newMerge(top, f.Plugin)
		if err != nil {
			return err
		}
		for scanned := 1; len(out) < limit; scanned++ {
			k, v := m.next()
			if k == nil {
				return nil
			}
			if scanned%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if f.DeniedOnly && !bytes.Contains(v, needDenied) {
				continue
			}
			var e Entry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("entry %x: %w", k, err)
			}
			if (f.DeniedOnly && e.Allowed) || (!f.Since.IsZero() && e.LastSeen().Before(f.Since)) {
				continue
			}
			e.Count = max(e.Count, 1)
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("query audit log: %w", err)
	}
	return out, nil
}

// merge walks several plugins' buckets backwards at once, always yielding
// the highest remaining sequence number. Each step compares the heads of
// all buckets, so it costs O(plugins) per entry: fine for the tens of
// plugins a profile holds.
type merge struct {
	heads []head
}

type head struct {
	c    *bbolt.Cursor
	k, v []byte
}

func newMerge(top *bbolt.Bucket, plugin string) (*merge, error) {
	m := &merge{}
	add := func(b *bbolt.Bucket) {
		c := b.Cursor()
		if k, v := c.Last(); k != nil {
			m.heads = append(m.heads, head{c, k, v})
		}
	}
	if plugin != "" {
		if b := top.Bucket(bucketName(plugin)); b != nil {
			add(b)
		}
		return m, nil
	}
	err := buckets(top, func(_ string, b *bbolt.Bucket) error {
		add(b)
		return nil
	})
	return m, err
}

// next returns the newest entry not yet returned, or a nil key at the end.
func (m *merge) next() (k, v []byte) {
	if len(m.heads) == 0 {
		return nil, nil
	}
	best := 0
	for i := 1; i < len(m.heads); i++ {
		if bytes.Compare(m.heads[i].k, m.heads[best].k) > 0 {
			best = i
		}
	}
	h := &m.heads[best]
	k, v = h.k, h.v
	if h.k, h.v = h.c.Prev(); h.k == nil {
		m.heads = append(m.heads[:best], m.heads[best+1:]...)
	}
	return k, v
}
