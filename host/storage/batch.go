package storage

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"go.etcd.io/bbolt"
)

// Bounds on one shared write transaction.
const (
	// maxBatchOps bounds the writes committed together.
	maxBatchOps = 256
	// maxPluginOps bounds one plugin's share of a commit, so a plugin with
	// many writes waiting cannot crowd another plugin's write out of the
	// next commit.
	maxPluginOps = 16
)

// batcher commits concurrent writes together, one transaction and one fsync
// for all the writes waiting when the previous commit ended. A plugin's
// write therefore waits for at most the commit in progress and its own,
// however many writes another plugin keeps in flight; on an idle store it
// commits at once, with no added delay (unlike bbolt's DB.Batch, which
// waits for a timer).
type batcher struct {
	db *bbolt.DB

	mu      sync.Mutex
	queue   []*writeOp
	running bool // a committer goroutine is working through queue

	// taken counts the batches taken from the queue, so tests can tell how
	// many commits a write waited for. Changed only under mu.
	taken atomic.Uint64
}

// writeOp is one write waiting to be committed.
type writeOp struct {
	plugin string
	fn     func(*bbolt.Tx) error
	err    error
	done   chan struct{}

	// The value of batcher.taken when the write was queued and when its
	// batch was taken: their difference is the commits it waited for.
	queued, batch uint64
}

// refused reports whether err is a write's refusal (its quota), which the
// write returns before changing anything: the other writes of the
// transaction can still commit.
func refused(err error) bool { return errors.Is(err, ErrQuotaExceeded) }

// do runs fn in a write transaction shared with other waiting writes and
// returns once it is committed (or failed). fn may run more than once, in
// fresh transactions, if another write of its batch fails, so it must read
// everything it needs from tx. fn must return refusals (see refused) only
// before changing anything; any other error rolls its batch back.
func (w *batcher) do(plugin string, fn func(*bbolt.Tx) error) error {
	op := &writeOp{plugin: plugin, fn: fn, done: make(chan struct{})}
	w.submit(op)
	<-op.done
	return op.err
}

// submit queues op and makes sure a committer goroutine will take it.
func (w *batcher) submit(op *writeOp) {
	w.mu.Lock()
	defer w.mu.Unlock()
	op.queued = w.taken.Load()
	w.queue = append(w.queue, op)
	if !w.running {
		w.running = true
		go w.run()
	}
}

// run commits batches until the queue is empty, then exits.
func (w *batcher) run() {
	var batch []*writeOp
	for {
		w.mu.Lock()
		batch = w.take(batch[:0])
		if len(batch) == 0 {
			w.running = false
			w.mu.Unlock()
			return
		}
		w.mu.Unlock()
		w.commit(batch)
		clear(batch)
	}
}

// take moves the next batch out of the queue. First every plugin's oldest
// write goes in, so no plugin waits behind another's run of writes; then
// more writes in arrival order, up to maxPluginOps per plugin and
// maxBatchOps in all. Each plugin's writes keep their order, and what is
// left keeps its order in the queue. The caller holds w.mu.
func (w *batcher) take(batch []*writeOp) []*writeOp {
	per := map[string]int{}
	picked := make([]bool, len(w.queue))
	for i, op := range w.queue {
		if len(batch) < maxBatchOps && per[op.plugin] == 0 {
			per[op.plugin]++
			picked[i] = true
			batch = append(batch, op)
		}
	}
	for i, op := range w.queue {
		if !picked[i] && len(batch) < maxBatchOps && per[op.plugin] < maxPluginOps {
			per[op.plugin]++
			picked[i] = true
			batch = append(batch, op)
		}
	}
	rest := w.queue[:0]
	for i, op := range w.queue {
		if !picked[i] {
			rest = append(rest, op)
		}
	}
	clear(w.queue[len(rest):])
	w.queue = rest
	if len(batch) > 0 {
		n := w.taken.Add(1)
		for _, op := range batch {
			op.batch = n
		}
	}
	return batch
}

// commit runs batch in one transaction and answers every write. A write
// that fails with anything but a refusal may have changed the transaction
// half-way, so the transaction is rolled back, that write alone gets its
// error and the others run again.
func (w *batcher) commit(batch []*writeOp) {
	for len(batch) > 0 {
		failed := -1
		err := w.update(func(tx *bbolt.Tx) error {
			for i, op := range batch {
				if op.err = op.fn(tx); op.err != nil && !refused(op.err) {
					failed = i
					return op.err
				}
			}
			return nil
		})
		if failed >= 0 {
			close(batch[failed].done)
			batch = slices.Delete(batch, failed, failed+1)
			continue
		}
		for _, op := range batch {
			if err != nil {
				op.err = err // the commit failed: nothing was written
			}
			close(op.done)
		}
		return
	}
}

// update is db.Update that turns a panic into an error: the writes run on
// the batcher's goroutine, where a panic would otherwise take the whole
// process down instead of failing the writes. bbolt has rolled the
// transaction back by the time the panic reaches here.
func (w *batcher) update(fn func(*bbolt.Tx) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("write transaction panicked: %v", r)
		}
	}()
	return w.db.Update(fn)
}
