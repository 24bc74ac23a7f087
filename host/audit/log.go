// Package audit keeps a bounded log of every permission decision in the
// shared bbolt state file.
//
// Record only queues the entry in memory; a background flusher writes all
// queued entries in one bbolt transaction per FlushInterval. That keeps
// Record well under a microsecond on the invoke path, at a price: entries
// recorded in the last FlushInterval before a crash (power loss, SIGKILL) can
// be lost. Flush and Close write everything recorded before they were called.
//
// The log is bounded per plugin, not globally: each plugin (and the core,
// whose entries have an empty Plugin) keeps its own most recent Options.Max
// entries, so one plugin's flood of requests can only push out its own
// history. Floods of one denial are also coalesced: identical denials
// (plugin, command and reason) within Options.Coalesce become one entry with
// a Count and the first and last time.
//
// On disk, bucket "audit_log" holds one nested bucket per plugin (named "p"
// followed by the plugin id), mapping the big-endian sequence number to the
// entry's JSON. Sequence numbers are shared by all plugins, so merging the
// buckets by key gives the global order.
package audit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"go.etcd.io/bbolt"
)

// Defaults for zero Options fields.
const (
	DefaultMax           = 10000
	DefaultFlushInterval = 50 * time.Millisecond
	DefaultBuffer        = 8192
	DefaultCoalesce      = time.Minute
)

// MaxField is the longest Plugin, Launch, Cmd, Reason or Detail kept on
// disk, in bytes; longer values are cut at a UTF-8 boundary so that one
// oversized entry cannot bloat the state file.
const MaxField = 4096

// ErrClosed is returned by Flush and Query after Close.
var ErrClosed = errors.New("audit log closed")

// Entry is one audited decision, or a run of identical denials coalesced
// into one entry.
type Entry struct {
	// Seq is assigned by the log and increases. A coalesced entry takes a
	// new Seq each time it absorbs more denials, so it sorts by its last
	// occurrence.
	Seq  uint64    `json:"seq"`
	Time time.Time `json:"time"` // the (first) occurrence
	// Last is the last occurrence of a coalesced entry (Count > 1); zero
	// otherwise.
	Last time.Time `json:"last,omitzero"`
	// Count is how many identical denials the entry stands for; Query
	// reports 1 for an entry that was not coalesced. Record ignores it.
	Count   int    `json:"count,omitempty"`
	Plugin  string `json:"plugin"`
	Launch  string `json:"launch,omitempty"`
	Cmd     string `json:"cmd"`
	Allowed bool   `json:"allowed"`
	Reason  string `json:"reason,omitempty"` // machine code: "not_granted", "replay", "rate_limited", ...
	Detail  string `json:"detail,omitempty"` // human text of the first occurrence
}

// LastSeen is the time of the entry's most recent occurrence.
func (e Entry) LastSeen() time.Time {
	if e.Last.After(e.Time) {
		return e.Last
	}
	return e.Time
}

// Options tunes a Log. Zero fields take the defaults.
type Options struct {
	// Max is the number of entries kept per plugin, default 10000. The
	// core's own entries (empty Plugin) have their own Max.
	Max int
	// FlushInterval is how often queued entries are written, default 50ms.
	FlushInterval time.Duration
	// Buffer is how many entries are queued in memory before Record waits,
	// default 8192.
	Buffer int
	// Coalesce is the window within which identical denials of one plugin
	// (same command and reason) are counted in one entry, default one
	// minute; negative turns coalescing off. Allowed requests are never
	// coalesced.
	Coalesce time.Duration
}

// Log is a per-plugin bounded, batched audit log. It is safe for concurrent
// use.
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
	w        writer
	closeErr error
}

// Open loads the log's position from db and starts the background flusher.
// It continues numbering after the highest stored sequence number, moves
// entries of the older single-bucket layout into per-plugin buckets, and
// trims each plugin to Options.Max. It costs one write transaction and a
// pass over the stored keys.
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
	if opts.Coalesce == 0 {
		opts.Coalesce = DefaultCoalesce
	}
	l := &Log{
		db:    db,
		opts:  opts,
		queue: make(chan Entry, opts.Buffer),
		kick:  make(chan struct{}, 1),
		flush: make(chan chan error),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
		w:     newWriter(db, opts),
	}
	if err := db.Update(l.w.load); err != nil {
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

// run is the flusher goroutine. It yields its CPU every few entries it
// writes (yieldCPU), so that its bursts do not hold up request threads.
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
		if err := l.w.write(batch); err != nil {
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
