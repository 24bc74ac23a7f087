package storage

import (
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

// stormWriters matches the mediator's default per-plugin in-flight bound:
// the most writes one plugin can have waiting at once.
const stormWriters = 64

// openSynced opens a state file that really fsyncs, like the host's, so
// the benchmarks below measure what a write storm costs on disk.
func openSynced(b *testing.B) *Store {
	b.Helper()
	db, err := bbolt.Open(filepath.Join(b.TempDir(), "state.db"), 0o600, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	s, err := Open(db)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkSetAlone is one plugin's write latency on an idle store: the
// baseline for BenchmarkSetDuringStorm.
func BenchmarkSetAlone(b *testing.B) {
	s := openSynced(b)
	v := make([]byte, 100)
	for b.Loop() {
		if err := s.Set("com.example.b", "k", v, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSetDuringStorm is plugin B's write latency (ns/op) while plugin A
// keeps stormWriters writes in flight; A's throughput is reported as
// storm-writes/s.
func BenchmarkSetDuringStorm(b *testing.B) {
	s := openSynced(b)
	v := make([]byte, 100)
	var stop atomic.Bool
	var stormed atomic.Int64
	var wg sync.WaitGroup
	for w := range stormWriters {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				if err := s.Set("com.example.a", fmt.Sprintf("w%d-%d", w, i%100), v, 0); err != nil {
					b.Error(err)
					return
				}
				stormed.Add(1)
			}
		})
	}
	time.Sleep(50 * time.Millisecond) // let the storm build up
	start, before := time.Now(), stormed.Load()
	for b.Loop() {
		if err := s.Set("com.example.b", "k", v, 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(stormed.Load()-before)/time.Since(start).Seconds(), "storm-writes/s")
	stop.Store(true)
	wg.Wait()
}
