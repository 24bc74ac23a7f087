package storage

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"go.etcd.io/bbolt"
)

// TestStormDoesNotQueueOtherPlugins is plugin A keeping hundreds of writes
// in flight to delay plugin B's writes. B's write must be in the first
// batch committed after it is queued, however many of A's writes are
// waiting: it never queues behind them one fsync at a time.
func TestStormDoesNotQueueOtherPlugins(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	const stormers = 300 // above maxBatchOps, so fairness within a batch matters too
	var stop atomic.Bool
	var wg sync.WaitGroup
	var started sync.WaitGroup
	started.Add(stormers)
	for w := range stormers {
		wg.Go(func() {
			started.Done()
			for i := 0; !stop.Load(); i++ {
				if err := s.Set("com.example.a", fmt.Sprintf("w%d-%d", w, i%10), []byte("storm"), 0); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	started.Wait()
	worst := uint64(0)
	for i := range 50 {
		op := &writeOp{plugin: "com.example.b", done: make(chan struct{}), fn: func(tx *bbolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("b"))
			if err != nil {
				return err
			}
			return b.Put([]byte("k"), fmt.Append(nil, i))
		}}
		s.w.submit(op)
		<-op.done
		if op.err != nil {
			t.Fatal(op.err)
		}
		worst = max(worst, op.batch-op.queued)
	}
	stop.Store(true)
	wg.Wait()
	if worst > 1 {
		t.Fatalf("B's write waited for %d transactions while A stormed, want it in the first one", worst)
	}
}
