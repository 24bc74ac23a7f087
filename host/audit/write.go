package audit

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.etcd.io/bbolt"
)

// maxOpenGroups bounds the coalescing groups one plugin has open at once,
// so a plugin cycling through many distinct denials cannot grow the
// flusher's memory; beyond it, new denials are written uncoalesced.
const maxOpenGroups = 64

// groupKey is what makes two denials "the same" for coalescing.
type groupKey struct{ plugin, cmd, reason string }

// group is a coalesced entry still inside its window: the entry as stored
// (Seq is its current key) plus whether it must be rewritten.
type group struct {
	e     Entry
	dirty bool
}

// writer is the flusher's state: where numbering continues, how many
// entries each plugin has on disk, and the open coalescing groups. Only the
// flusher goroutine uses it after Open.
type writer struct {
	db     *bbolt.DB
	opts   Options
	next   uint64
	counts map[string]int
	groups map[groupKey]*group
	open   map[string]int // open groups per plugin

	// Scratch reused across batches.
	dirty   []*group
	touched map[string]struct{}
}

func newWriter(db *bbolt.DB, opts Options) writer {
	return writer{db: db, opts: opts, touched: map[string]struct{}{}}
}

// load reads the position and per-plugin counts from disk (migrating the
// old layout first) and trims every plugin to Max. It forgets open groups,
// so it also serves to resynchronise after a failed write.
func (w *writer) load(tx *bbolt.Tx) error {
	w.next = 1
	w.counts = map[string]int{}
	w.groups = map[groupKey]*group{}
	w.open = map[string]int{}
	top := tx.Bucket(bucketLog)
	if tx.Writable() {
		var err error
		if top, err = tx.CreateBucketIfNotExists(bucketLog); err != nil {
			return err
		}
		if err := migrate(tx, top); err != nil {
			return err
		}
	}
	if top == nil {
		return errors.New("audit bucket missing")
	}
	return buckets(top, func(plugin string, b *bbolt.Bucket) error {
		if k, _ := b.Cursor().Last(); len(k) == 8 {
			w.next = max(w.next, binary.BigEndian.Uint64(k)+1)
		}
		// Max may have been lowered since the last run. Only Open's
		// transaction trims; the read-only resync after a failed write
		// just counts.
		n := b.Stats().KeyN
		if tx.Writable() {
			var err error
			if n, err = trimOldest(b, n, w.opts.Max); err != nil {
				return err
			}
		}
		w.counts[plugin] = n
		return nil
	})
}

// write stores batch in one transaction: new entries get the next sequence
// numbers, denials that match an open group only raise its count, and each
// plugin that grew is trimmed back to Max. On failure the in-memory state is
// reloaded from disk so it never runs ahead of what was committed.
func (w *writer) write(batch []Entry) error {
	w.expire(time.Now())
	err := w.db.Update(func(tx *bbolt.Tx) error {
		top := tx.Bucket(bucketLog)
		if top == nil {
			return errors.New("audit bucket missing")
		}
		for i := range batch {
			if i > 0 && i%yieldEvery == 0 {
				yield()
			}
			e := bounded(batch[i])
			e.Seq, e.Count, e.Last = 0, 1, time.Time{}
			if g := w.absorb(e); g != nil {
				if !g.dirty {
					g.dirty = true
					w.dirty = append(w.dirty, g)
				}
				continue
			}
			if err := w.append(top, &e); err != nil {
				return err
			}
			w.startGroup(e)
		}
		for _, g := range w.dirty {
			if err := w.move(top, g); err != nil {
				return err
			}
		}
		for plugin := range w.touched {
			b := top.Bucket(bucketName(plugin))
			n, err := trimOldest(b, w.counts[plugin], w.opts.Max)
			if err != nil {
				return err
			}
			w.counts[plugin] = n
		}
		return nil
	})
	clear(w.dirty)
	w.dirty = w.dirty[:0]
	clear(w.touched)
	if err != nil {
		if lerr := w.db.View(w.load); lerr != nil {
			err = errors.Join(err, lerr)
		}
		return fmt.Errorf("write audit entries: %w", err)
	}
	return nil
}

// append stores e under the next sequence number in its plugin's bucket.
func (w *writer) append(top *bbolt.Bucket, e *Entry) error {
	b := top.Bucket(bucketName(e.Plugin))
	if b == nil {
		var err error
		if b, err = top.CreateBucket(bucketName(e.Plugin)); err != nil {
			return err
		}
	}
	// Keys only ever grow, so full pages split best.
	b.FillPercent = 1.0
	e.Seq = w.next
	w.next++
	if err := put(b, e); err != nil {
		return err
	}
	w.counts[e.Plugin]++
	w.touched[e.Plugin] = struct{}{}
	return nil
}

// move rewrites a group's entry under a new sequence number, so an ongoing
// flood stays at the top of its plugin's history with its current count.
func (w *writer) move(top *bbolt.Bucket, g *group) error {
	g.dirty = false
	b := top.Bucket(bucketName(g.e.Plugin))
	if b == nil {
		return errors.New("audit bucket of a coalesced entry missing")
	}
	old := seqKey(g.e.Seq)
	if b.Get(old) != nil {
		if err := b.Delete(old); err != nil {
			return err
		}
	} else {
		// Trimmed meanwhile: the entry comes back as a new one.
		w.counts[g.e.Plugin]++
		w.touched[g.e.Plugin] = struct{}{}
	}
	b.FillPercent = 1.0
	g.e.Seq = w.next
	w.next++
	return put(b, &g.e)
}

func put(b *bbolt.Bucket, e *Entry) error {
	v, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return b.Put(seqKey(e.Seq), v)
}

// absorb counts e into its open group and returns the group, or returns
// nil when e must be written as an entry of its own.
func (w *writer) absorb(e Entry) *group {
	if e.Allowed || w.opts.Coalesce < 0 {
		return nil
	}
	k := groupKey{e.Plugin, e.Cmd, e.Reason}
	g := w.groups[k]
	if g == nil {
		return nil
	}
	if e.Time.Sub(g.e.Time) >= w.opts.Coalesce {
		w.closeGroup(k)
		return nil
	}
	g.e.Count++
	g.e.Last = g.e.LastSeen()
	if e.Time.After(g.e.Last) {
		g.e.Last = e.Time
	}
	return g
}

// startGroup opens a coalescing group for a denial just written.
func (w *writer) startGroup(e Entry) {
	if e.Allowed || w.opts.Coalesce < 0 || w.open[e.Plugin] >= maxOpenGroups {
		return
	}
	w.groups[groupKey{e.Plugin, e.Cmd, e.Reason}] = &group{e: e}
	w.open[e.Plugin]++
}

// expire closes the groups whose window has passed.
func (w *writer) expire(now time.Time) {
	for k, g := range w.groups {
		if now.Sub(g.e.Time) >= w.opts.Coalesce {
			w.closeGroup(k)
		}
	}
}

func (w *writer) closeGroup(k groupKey) {
	delete(w.groups, k)
	if w.open[k.plugin]--; w.open[k.plugin] <= 0 {
		delete(w.open, k.plugin)
	}
}
