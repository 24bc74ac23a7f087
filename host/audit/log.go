// Package audit keeps a bounded log of every permission decision in the
// shared bbolt state file.
//
// Record only queues the entry in memory; a background flusher writes all
// queued entries in one bbolt transaction per FlushInterval. That keeps
// Record well under a microsecond on the invoke path, at a price: entries
// recorded in the last FlushInterval before a crash (power loss, SIGKILL) can
// be lost. Flush and Close write everything recorded before they were called.
//
// On disk, bucket "audit" maps the big-endian sequence number to the entry's
// JSON. After each flush the oldest entries are trimmed so at most
// Options.Max remain.
package audit

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"go.etcd.io/bbolt"
)

var bucketName = []byte("audit")

// Defaults for zero Options fields.
const (
	DefaultMax           = 10000
	DefaultFlushInterval = 50 * time.Millisecond
	DefaultBuffer        = 8192
)

// MaxField is the longest Plugin, Launch, Cmd, Reason or Detail kept on
// disk, in bytes; longer values are cut at a UTF-8 boundary so that one
// oversized entry cannot bloat the state file.
const MaxField = 4096

// ErrClosed is returned by Flush and Query after Close.
var ErrClosed = errors.New("audit log closed")

// Entry is one audited decision.
type Entry struct {
	Seq     uint64    `json:"seq"` // assigned by the log, increasing
	Time    time.Time `json:"time"`
	Plugin  string    `json:"plugin"`
	Launch  string    `json:"launch,omitempty"`
	Cmd     string    `json:"cmd"`
	Allowed bool      `json:"allowed"`
	Reason  string    `json:"reason,omitempty"` // machine code: "not_granted", "replay", "rate_limited", ...
	Detail  string    `json:"detail,omitempty"` // human text
}

// Options tunes a Log. Zero fields take the defaults.
type Options struct {
	Max           int           // entries kept on disk, default 10000
	FlushInterval time.Duration // how often queued entries are written, default 50ms
	Buffer        int           // entries queued in memory before Record waits, default 8192
}

// Log is a bounded, batched audit log. It is safe for concurrent use.
type Log struct {
	db   *bbolt.DB
	opts Options

	queue chan Entry
	kick  chan struct{}   // the queue is full: flush now
	flush chan chan error // explicit Flush requests
	stop  chan struct{}   // closed by Close
	done  chan struct{}   // closed when the flusher has exited

	// closeMu orders Record against Close: Record holds it shared while it
	// queues, so once Close holds it exclusively no entry can slip into the
	// queue after the final drain.
	closeMu sync.RWMutex
	closed  bool

	// Owned by the flusher goroutine after Open returns.
	next     uint64 // sequence number of the next entry written
	count    int    // entries on disk
	closeErr error
}

// Open loads the log's position from db and starts the background flusher.
// It continues numbering after the highest stored sequence number.
func Open(db *bbolt.DB, opts Options) (*Log, error) {
	if db == nil {
		return nil, errors.New("open audit log: nil database")
	}
	if opts.Max <= 0 {
		opts.Max = DefaultMax
	}
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = DefaultFlushInterval
	}
	if opts.Buffer <= 0 {
		opts.Buffer = DefaultBuffer
	}
	l := &Log{
		db:    db,
		opts:  opts,
		queue: make(chan Entry, opts.Buffer),
		kick:  make(chan struct{}, 1),
		flush: make(chan chan error),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
		next:  1,
	}
	err := db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketName)
		if err != nil {
			return err
		}
		if k, _ := b.Cursor().Last(); len(k) == 8 {
			l.next = binary.BigEndian.Uint64(k) + 1
		}
		// Max may have been lowered since the last run.
		l.count, err = trim(b, b.Stats().KeyN, opts.Max)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	go l.run()
	return l, nil
}

// Record queues e for the next flush. Seq is assigned when the entry is
// written; a zero Time is set to now. Record does not touch the disk and
// does not allocate. When the queue is full it waits for the flusher
// (backpressure) rather than dropping. Recording after Close drops the entry
// and logs a warning.
func (l *Log) Record(e Entry) {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	l.closeMu.RLock()
	defer l.closeMu.RUnlock()
	if l.closed {
		slog.Warn("audit entry recorded after close", "plugin", e.Plugin, "cmd", e.Cmd, "allowed", e.Allowed)
		return
	}
	select {
	case l.queue <- e:
		return
	default:
	}
	select {
	case l.kick <- struct{}{}:
	default:
	}
	l.queue <- e
}

// Flush writes every entry recorded before the call. It waits for one bbolt
// write transaction, or until ctx is done.
func (l *Log) Flush(ctx context.Context) error {
	reply := make(chan error, 1)
	select {
	case l.flush <- reply:
	case <-l.done:
		return ErrClosed
	case <-ctx.Done():
		return fmt.Errorf("flush audit log: %w", ctx.Err())
	}
	select {
	case err := <-reply:
		return err
	case <-ctx.Done():
		return fmt.Errorf("flush audit log: %w", ctx.Err())
	}
}

// Close writes everything recorded so far and stops the flusher. It waits
// until the flusher has exited or ctx is done; calling it again returns nil.
func (l *Log) Close(ctx context.Context) error {
	l.closeMu.Lock()
	already := l.closed
	l.closed = true
	l.closeMu.Unlock()
	if !already {
		close(l.stop)
	}
	select {
	case <-l.done:
		if already {
			return nil
		}
		return l.closeErr
	case <-ctx.Done():
		return fmt.Errorf("close audit log: %w", ctx.Err())
	}
}

// run is the flusher goroutine.
func (l *Log) run() {
	defer close(l.done)
	t := time.NewTicker(l.opts.FlushInterval)
	defer t.Stop()
	batch := make([]Entry, 0, 64)
	for {
		select {
		case <-t.C:
			batch = l.drainAndWrite(batch)
		case <-l.kick:
			batch = l.drainAndWrite(batch)
		case reply := <-l.flush:
			var err error
			batch, err = l.drain(batch)
			reply <- err
		case <-l.stop:
			// Close holds no Record in flight, so the queue is final.
			_, l.closeErr = l.drain(batch)
			return
		}
	}
}

func (l *Log) drainAndWrite(batch []Entry) []Entry {
	batch, err := l.drain(batch)
	if err != nil {
		slog.Error("audit log write failed", "err", err)
	}
	return batch
}

// drain writes everything queued at the time of the call, in transactions
// of at most Buffer entries. Entries queued later are left for the next round
// so a steady stream of Records cannot keep a Flush waiting forever.
func (l *Log) drain(batch []Entry) ([]Entry, error) {
	var errs []error
	for n := len(l.queue); n > 0; {
		batch = batch[:0]
		for ; n > 0 && len(batch) < l.opts.Buffer; n-- {
			batch = append(batch, <-l.queue)
		}
		if err := l.write(batch); err != nil {
			// The failed batch is reported, not retried: a bbolt write error
			// (disk full, database closed) would otherwise stall every
			// Record behind a queue that can never drain.
			slog.Error("audit entries lost", "count", len(batch), "err", err)
			errs = append(errs, err)
		}
	}
	clear(batch) // drop string references until the next round
	return batch[:0], errors.Join(errs...)
}

func (l *Log) write(batch []Entry) error {
	next, count := l.next, l.count
	err := l.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketName)
		if b == nil {
			return errors.New("audit bucket missing")
		}
		// Keys only ever grow, so full pages split best.
		b.FillPercent = 1.0
		for i := range batch {
			e := &batch[i]
			e.Seq = next
			v, err := json.Marshal(bounded(*e))
			if err != nil {
				return err
			}
			if err := b.Put(binary.BigEndian.AppendUint64(nil, next), v); err != nil {
				return err
			}
			next++
			count++
		}
		var err error
		count, err = trim(b, count, l.opts.Max)
		return err
	})
	if err != nil {
		return fmt.Errorf("write audit entries: %w", err)
	}
	l.next, l.count = next, count
	return nil
}

// trim deletes the oldest entries of b, which holds count keys, so that at
// most max remain, and returns the new count.
func trim(b *bbolt.Bucket, count, max int) (int, error) {
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
