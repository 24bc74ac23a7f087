package audit

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"go.etcd.io/bbolt"
)

func openDB(t testing.TB, path string) *bbolt.DB {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func newLog(t testing.TB, opts Options) *Log {
	t.Helper()
	db := openDB(t, filepath.Join(t.TempDir(), "state.db"))
	l, err := Open(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Close(context.Background()); err != nil {
			t.Error(err)
		}
		db.Close()
	})
	return l
}

func query(t *testing.T, l *Log, f Filter) []Entry {
	t.Helper()
	es, err := l.Query(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func TestOrderAndSeq(t *testing.T) {
	t.Parallel()
	l := newLog(t, Options{FlushInterval: time.Hour})
	for i := range 5 {
		l.Record(Entry{Plugin: "p", Cmd: fmt.Sprintf("c%d", i), Allowed: true})
	}
	es := query(t, l, Filter{})
	if len(es) != 5 {
		t.Fatalf("got %d entries, want 5", len(es))
	}
	for i, e := range es {
		if want := fmt.Sprintf("c%d", 4-i); e.Cmd != want {
			t.Errorf("entry %d cmd = %s, want %s (newest first)", i, e.Cmd, want)
		}
		if want := uint64(5 - i); e.Seq != want {
			t.Errorf("entry %d seq = %d, want %d", i, e.Seq, want)
		}
		if e.Time.IsZero() {
			t.Errorf("entry %d has no time", i)
		}
	}
}

func TestKeepsGivenTime(t *testing.T) {
	t.Parallel()
	l := newLog(t, Options{})
	at := time.Date(2025, 3, 1, 12, 0, 0, 5, time.UTC)
	l.Record(Entry{Plugin: "p", Cmd: "c", Time: at})
	es := query(t, l, Filter{})
	if len(es) != 1 || !es[0].Time.Equal(at) {
		t.Fatalf("time = %v, want %v", es, at)
	}
}

func TestFilters(t *testing.T) {
	t.Parallel()
	l := newLog(t, Options{})
	l.Record(Entry{Plugin: "a", Cmd: "storage.get", Allowed: true})
	l.Record(Entry{Plugin: "b", Cmd: "fs.read", Allowed: false, Reason: "not_granted"})
	l.Record(Entry{Plugin: "a", Cmd: "fs.read", Allowed: false, Reason: "replay"})
	// Text that mentions another plugin or "allowed":false must not fool the filter.
	l.Record(Entry{Plugin: "b", Cmd: "x", Allowed: true, Detail: `"plugin":"a" "allowed":false`})
	l.Record(Entry{Plugin: "a", Cmd: "http", Allowed: true})

	tests := []struct {
		name string
		f    Filter
		want []string // cmds, newest first
	}{
		{"all", Filter{}, []string{"http", "x", "fs.read", "fs.read", "storage.get"}},
		{"plugin", Filter{Plugin: "a"}, []string{"http", "fs.read", "storage.get"}},
		{"denied", Filter{DeniedOnly: true}, []string{"fs.read", "fs.read"}},
		{"plugin denied", Filter{Plugin: "b", DeniedOnly: true}, []string{"fs.read"}},
		{"limit", Filter{Limit: 2}, []string{"http", "x"}},
		{"unknown plugin", Filter{Plugin: "zzz"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := query(t, l, tt.f)
			got := []string{}
			for _, e := range es {
				got = append(got, e.Cmd)
				if tt.f.Plugin != "" && e.Plugin != tt.f.Plugin {
					t.Errorf("entry of plugin %s in filtered result", e.Plugin)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
	if es := query(t, l, Filter{Plugin: "b", DeniedOnly: true}); es[0].Reason != "not_granted" {
		t.Fatalf("reason = %q", es[0].Reason)
	}
}

func TestDefaultLimit(t *testing.T) {
	t.Parallel()
	l := newLog(t, Options{})
	for range DefaultLimit + 10 {
		l.Record(Entry{Plugin: "p", Cmd: "c", Allowed: true})
	}
	if es := query(t, l, Filter{}); len(es) != DefaultLimit {
		t.Fatalf("got %d entries, want %d", len(es), DefaultLimit)
	}
}

// countOnDisk counts the entries of every plugin and the lowest and highest
// sequence numbers among them.
func countOnDisk(t *testing.T, db *bbolt.DB) (n int, first, last uint64) {
	t.Helper()
	err := db.View(func(tx *bbolt.Tx) error {
		return buckets(tx.Bucket(bucketLog), func(_ string, b *bbolt.Bucket) error {
			return b.ForEach(func(k, _ []byte) error {
				seq := binary.BigEndian.Uint64(k)
				if n == 0 || seq < first {
					first = seq
				}
				last = max(last, seq)
				n++
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return n, first, last
}

func TestTrimBound(t *testing.T) {
	t.Parallel()
	db := openDB(t, filepath.Join(t.TempDir(), "state.db"))
	defer db.Close()
	l, err := Open(db, Options{Max: 50, FlushInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for round := range 4 {
		for range 30 {
			l.Record(Entry{Plugin: "p", Cmd: "c", Allowed: true})
		}
		if err := l.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		n, first, last := countOnDisk(t, db)
		total := uint64(30 * (round + 1))
		if want := min(int(total), 50); n != want {
			t.Fatalf("round %d: %d entries on disk, want %d", round, n, want)
		}
		if last != total || first != total-uint64(n)+1 {
			t.Fatalf("round %d: seq range %d..%d, want oldest trimmed", round, first, last)
		}
	}
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}

	// Reopening with a smaller Max trims at once.
	l, err = Open(db, Options{Max: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close(ctx)
	if n, first, _ := countOnDisk(t, db); n != 10 || first != 111 {
		t.Fatalf("after reopen with Max 10: %d entries from %d", n, first)
	}
}

func TestReopenContinuesSeq(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.db")
	ctx := context.Background()
	db := openDB(t, path)
	l, err := Open(db, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		l.Record(Entry{Plugin: "p", Cmd: "before", Allowed: true})
	}
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = openDB(t, path)
	defer db.Close()
	l, err = Open(db, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close(ctx)
	l.Record(Entry{Plugin: "p", Cmd: "after", Allowed: true})
	es := query(t, l, Filter{})
	if len(es) != 4 || es[0].Cmd != "after" || es[0].Seq != 4 || es[1].Seq != 3 {
		t.Fatalf("after reopen: %+v", es)
	}
}

func TestCloseFlushes(t *testing.T) {
	t.Parallel()
	db := openDB(t, filepath.Join(t.TempDir(), "state.db"))
	defer db.Close()
	l, err := Open(db, Options{FlushInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for range 7 {
		l.Record(Entry{Plugin: "p", Cmd: "c", Allowed: true})
	}
	if n, _, _ := countOnDisk(t, db); n != 0 {
		t.Fatalf("%d entries on disk before any flush; Record must not write", n)
	}
	ctx := context.Background()
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _, _ := countOnDisk(t, db); n != 7 {
		t.Fatalf("%d entries on disk after Close, want 7", n)
	}
	if err := l.Close(ctx); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := l.Flush(ctx); !errors.Is(err, ErrClosed) {
		t.Fatalf("Flush after Close = %v, want ErrClosed", err)
	}
	if _, err := l.Query(ctx, Filter{}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Query after Close = %v, want ErrClosed", err)
	}
	l.Record(Entry{Plugin: "p", Cmd: "late"}) // must not panic or block
}

func TestIntervalFlush(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "state.db"))
	defer db.Close()
	l, err := Open(db, Options{FlushInterval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close(context.Background())
	l.Record(Entry{Plugin: "p", Cmd: "c"})
	deadline := time.Now().Add(5 * time.Second)
	for {
		if n, _, _ := countOnDisk(t, db); n == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("entry never flushed by the interval")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestConcurrentRecord(t *testing.T) {
	t.Parallel()
	l := newLog(t, Options{FlushInterval: time.Millisecond, Buffer: 64})
	const writers, per = 8, 200
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range per {
				l.Record(Entry{Plugin: fmt.Sprintf("p%d", w), Cmd: fmt.Sprint(i), Allowed: i%2 == 0})
			}
		})
	}
	wg.Go(func() {
		for range 5 {
			if _, err := l.Query(context.Background(), Filter{Limit: 10}); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Wait()
	es := query(t, l, Filter{Limit: writers * per})
	if len(es) != writers*per {
		t.Fatalf("got %d entries, want %d", len(es), writers*per)
	}
	// Sequence numbers are unique and dense; each writer's entries keep order.
	lastCmd := map[string]int{}
	for i, e := range es {
		if e.Seq != uint64(len(es)-i) {
			t.Fatalf("entry %d has seq %d", i, e.Seq)
		}
		var n int
		fmt.Sscan(e.Cmd, &n)
		if prev, ok := lastCmd[e.Plugin]; ok && n >= prev {
			t.Fatalf("plugin %s: cmd %d after %d in newest-first order", e.Plugin, n, prev)
		}
		lastCmd[e.Plugin] = n
	}
}

func TestBackpressureNoLoss(t *testing.T) {
	t.Parallel()
	// A queue of 2 and an interval that never fires: only backpressure
	// (Record kicking the flusher) can make room.
	l := newLog(t, Options{Buffer: 2, FlushInterval: time.Hour, Max: 100000})
	const n = 1000
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range n {
			l.Record(Entry{Plugin: "p", Cmd: fmt.Sprint(i)})
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Record stuck behind a full queue")
	}
	es := query(t, l, Filter{Limit: n + 1})
	if len(es) != n {
		t.Fatalf("got %d entries, want %d", len(es), n)
	}
	for i, e := range es {
		if want := fmt.Sprint(n - 1 - i); e.Cmd != want {
			t.Fatalf("entry %d is %s, want %s", i, e.Cmd, want)
		}
	}
}

func TestFlushContext(t *testing.T) {
	t.Parallel()
	l := newLog(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// The flusher may win the race and answer; otherwise ctx must be honoured.
	if err := l.Flush(ctx); err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("Flush with canceled ctx = %v", err)
	}
}

func TestOversizeFieldsCut(t *testing.T) {
	t.Parallel()
	l := newLog(t, Options{})
	long := strings.Repeat("é", MaxField) // 2 bytes each
	l.Record(Entry{Plugin: "p", Cmd: "c", Detail: long})
	es := query(t, l, Filter{})
	d := es[0].Detail
	if len(d) > MaxField || !utf8.ValidString(d) || !strings.HasSuffix(d, "…") {
		t.Fatalf("detail of %d bytes, valid=%v", len(d), utf8.ValidString(d))
	}
}

// BenchmarkRecord measures the Record call itself: the flusher only runs
// while the timer is stopped, between rounds of Buffer entries.
func BenchmarkRecord(b *testing.B) {
	const buffer = 8192
	l := newLog(b, Options{Buffer: buffer, FlushInterval: time.Hour})
	e := Entry{Plugin: "com.example.notes", Launch: "l1", Cmd: "storage.get", Allowed: true}
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if i > 0 && i%buffer == 0 {
			b.StopTimer()
			if err := l.Flush(ctx); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		l.Record(e)
	}
}

// BenchmarkRecordSustained measures throughput when Record outpaces the
// flusher for a long time, so it includes the JSON encoding and the bbolt
// writes the flusher does per entry.
func BenchmarkRecordSustained(b *testing.B) {
	l := newLog(b, Options{})
	e := Entry{Plugin: "com.example.notes", Launch: "l1", Cmd: "storage.get", Allowed: true}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			l.Record(e)
		}
	})
}
