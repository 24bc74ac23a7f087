package storage

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.etcd.io/bbolt"
)

// put is a write op storing k=v in bucket "t", then returning err.
func putOp(k string, err error) *writeOp {
	return &writeOp{plugin: k, done: make(chan struct{}), fn: func(tx *bbolt.Tx) error {
		b, e := tx.CreateBucketIfNotExists([]byte("t"))
		if e != nil {
			return e
		}
		if e := b.Put([]byte(k), []byte("v")); e != nil {
			return e
		}
		return err
	}}
}

func TestBatchFailureIsolation(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	refusal := fmt.Errorf("full: %w", ErrQuotaExceeded)
	tests := []struct {
		name      string
		errs      []error // per op
		committed string  // keys found afterwards
	}{
		{"all good", []error{nil, nil, nil}, "a,b,c"},
		// A refusal changes nothing by contract; here it did put its key,
		// which shows the transaction was not rolled back for it.
		{"refusal keeps the batch", []error{nil, refusal, nil}, "a,b,c"},
		{"failure rolls back only itself", []error{nil, boom, nil}, "a,c"},
		{"two failures", []error{boom, nil, boom}, "b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			var batch []*writeOp
			for i, err := range tt.errs {
				batch = append(batch, putOp(string(rune('a'+i)), err))
			}
			ops := append([]*writeOp(nil), batch...)
			s.w.commit(batch)
			for i, op := range ops {
				<-op.done
				if !errors.Is(op.err, tt.errs[i]) || (tt.errs[i] == nil) != (op.err == nil) {
					t.Errorf("op %d err = %v, want %v", i, op.err, tt.errs[i])
				}
			}
			var got []string
			s.db.View(func(tx *bbolt.Tx) error {
				return tx.Bucket([]byte("t")).ForEach(func(k, _ []byte) error {
					got = append(got, string(k))
					return nil
				})
			})
			if strings.Join(got, ",") != tt.committed {
				t.Fatalf("committed %v, want %s", got, tt.committed)
			}
		})
	}
}

func TestBatchPanicFailsWrites(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	op := &writeOp{plugin: "p", done: make(chan struct{}), fn: func(*bbolt.Tx) error { panic("corrupt page") }}
	s.w.commit([]*writeOp{op})
	<-op.done
	if op.err == nil || !strings.Contains(op.err.Error(), "corrupt page") {
		t.Fatalf("err = %v, want the panic as an error", op.err)
	}
	// The store still works.
	if err := s.Set("p", "k", []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
}

// TestTakeShares checks one batch's make-up: at most maxPluginOps writes
// of one plugin and maxBatchOps in all, other plugins' writes included
// even when queued after a long run of one plugin's, the rest kept in order.
func TestTakeShares(t *testing.T) {
	t.Parallel()
	var w batcher
	for i := range 400 {
		w.queue = append(w.queue, &writeOp{plugin: fmt.Sprintf("p%d", i%20)})
	}
	w.queue = append(w.queue, &writeOp{plugin: "late"})
	order := map[*writeOp]int{}
	for i, op := range w.queue {
		order[op] = i
	}
	batch := w.take(nil)
	per := map[string]int{}
	for _, op := range batch {
		per[op.plugin]++
	}
	if len(batch) > maxBatchOps {
		t.Fatalf("batch of %d", len(batch))
	}
	for p, n := range per {
		if n > maxPluginOps {
			t.Fatalf("plugin %s has %d writes in one batch", p, n)
		}
	}
	if per["late"] != 1 {
		t.Fatal("a plugin's single write was left out of the batch")
	}
	if len(batch)+len(w.queue) != 401 {
		t.Fatalf("%d taken + %d left != 401", len(batch), len(w.queue))
	}
	// Each plugin's writes go in, and stay, in their order.
	seen := map[string]int{}
	for _, op := range append(batch, w.queue...) {
		if prev, ok := seen[op.plugin]; ok && prev > order[op] {
			t.Fatalf("plugin %s's writes out of order", op.plugin)
		}
		seen[op.plugin] = order[op]
	}
}
