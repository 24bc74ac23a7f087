package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"go.etcd.io/bbolt"
)

// DefaultLimit is the number of entries Query returns when Filter.Limit <= 0.
const DefaultLimit = 100

// MaxLimit caps Filter.Limit.
const MaxLimit = 10000

// Filter selects entries for Query.
type Filter struct {
	Plugin     string // only this plugin's entries; empty for all
	DeniedOnly bool   // only denied decisions
	Limit      int    // at most this many entries, <= 0 means DefaultLimit
}

// Query flushes pending entries, then returns up to f.Limit matching entries,
// newest first. It scans from the newest entry backwards, so a filter that
// matches rarely may read the whole log (at most Options.Max entries).
func (l *Log) Query(ctx context.Context, f Filter) ([]Entry, error) {
	if err := l.Flush(ctx); err != nil {
		return nil, fmt.Errorf("query audit log: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)

	// Cheap byte tests skip most non-matching entries before decoding. They
	// can only match the real field: inside a JSON string every quote is
	// escaped, so `"plugin":"x"` never occurs within another field's text.
	var needPlugin []byte
	if f.Plugin != "" {
		name, err := json.Marshal(f.Plugin)
		if err != nil {
			return nil, fmt.Errorf("query audit log: %w", err)
		}
		needPlugin = append([]byte(`"plugin":`), name...)
	}
	needDenied := []byte(`"allowed":false`)

	out := []Entry{}
	err := l.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketName)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		scanned := 0
		for k, v := c.Last(); k != nil && len(out) < limit; k, v = c.Prev() {
			if scanned++; scanned%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if needPlugin != nil && !bytes.Contains(v, needPlugin) {
				continue
			}
			if f.DeniedOnly && !bytes.Contains(v, needDenied) {
				continue
			}
			var e Entry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("entry %x: %w", k, err)
			}
			if (f.Plugin != "" && e.Plugin != f.Plugin) || (f.DeniedOnly && e.Allowed) {
				continue
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("query audit log: %w", err)
	}
	return out, nil
}
