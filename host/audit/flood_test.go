package audit

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

// recordB writes plugin B's ordinary history: n entries, allowed and
// denied, each one distinct.
func recordB(l *Log, n int) {
	for i := range n {
		e := Entry{Plugin: "com.example.b", Cmd: fmt.Sprintf("storage.get#%d", i), Allowed: i%3 != 0}
		if !e.Allowed {
			e.Reason = "not_granted"
		}
		l.Record(e)
	}
}

// TestFloodCannotEraseOtherPlugins is plugin A trying to wipe plugin B's
// (and the core's) audit history by making 20,000 cheap denied requests,
// either all the same or each one different so coalescing cannot help.
func TestFloodCannotEraseOtherPlugins(t *testing.T) {
	const flood, maxEntries = 20000, 10000
	tests := []struct {
		name       string
		cmd        func(i int) string
		maxEntries int // at most this many entries of A remain
	}{
		{"same denial", func(int) string { return "fs.read" }, 2},
		{"distinct denials", func(i int) string { return fmt.Sprintf("cmd%d", i) }, maxEntries},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLog(t, Options{Max: maxEntries})
			recordB(l, 300)
			l.Record(Entry{Cmd: "warden.start", Allowed: true}) // the core's own entry
			for i := range flood {
				l.Record(Entry{Plugin: "com.example.a", Cmd: tt.cmd(i), Reason: "not_granted", Detail: "fs.read is not granted"})
			}

			b := query(t, l, Filter{Plugin: "com.example.b", Limit: MaxLimit})
			if len(b) != 300 {
				t.Fatalf("B has %d entries after A's flood, want all 300", len(b))
			}
			for i, e := range b {
				if want := fmt.Sprintf("storage.get#%d", 299-i); e.Cmd != want || e.Count != 1 {
					t.Fatalf("B's entry %d = %s x%d, want %s x1", i, e.Cmd, e.Count, want)
				}
			}
			var core int
			l.db.View(func(tx *bbolt.Tx) error {
				core = tx.Bucket(bucketLog).Bucket(bucketName("")).Stats().KeyN
				return nil
			})
			if core != 1 {
				t.Fatalf("the core has %d entries after A's flood, want its 1", core)
			}

			a := query(t, l, Filter{Plugin: "com.example.a", Limit: MaxLimit})
			if len(a) > tt.maxEntries {
				t.Fatalf("A's flood left %d entries, want at most %d", len(a), tt.maxEntries)
			}
			counted := 0
			for _, e := range a {
				counted += e.Count
			}
			if tt.name == "same denial" && counted != flood {
				t.Fatalf("A's coalesced entries count %d denials, want %d", counted, flood)
			}
		})
	}
}

func TestCoalesce(t *testing.T) {
	t0 := time.Now()
	deny := func(cmd, reason string, at time.Duration) Entry {
		return Entry{Plugin: "p", Cmd: cmd, Reason: reason, Time: t0.Add(at)}
	}
	type want struct {
		cmd   string
		count int
		last  time.Duration // offset of Last from t0; -1 for none
	}
	tests := []struct {
		name    string
		window  time.Duration
		batches [][]Entry // each batch is flushed before the next
		want    []want    // newest first
	}{
		{
			name:    "one run",
			batches: [][]Entry{{deny("a", "not_granted", 0), deny("a", "not_granted", 10*time.Second), deny("a", "not_granted", 59*time.Second)}},
			want:    []want{{"a", 3, 59 * time.Second}},
		},
		{
			name:    "across flushes the entry moves to the top",
			batches: [][]Entry{{deny("a", "x", 0), deny("b", "x", time.Second)}, {deny("a", "x", 2*time.Second)}},
			want:    []want{{"a", 2, 2 * time.Second}, {"b", 1, -1}},
		},
		{
			// Within one flush, entries that grew are rewritten last.
			name:    "window passed starts a new entry",
			batches: [][]Entry{{deny("a", "x", 0), deny("a", "x", 30*time.Second), deny("a", "x", 61*time.Second)}},
			want:    []want{{"a", 2, 30 * time.Second}, {"a", 1, -1}},
		},
		{
			name:    "other reason or command is another entry",
			batches: [][]Entry{{deny("a", "x", 0), deny("a", "y", 0), deny("b", "x", 0), deny("a", "x", 0)}},
			want:    []want{{"a", 2, 0}, {"b", 1, -1}, {"a", 1, -1}},
		},
		{
			name:    "allowed requests are never coalesced",
			batches: [][]Entry{{{Plugin: "p", Cmd: "a", Allowed: true, Time: t0}, {Plugin: "p", Cmd: "a", Allowed: true, Time: t0}}},
			want:    []want{{"a", 1, -1}, {"a", 1, -1}},
		},
		{
			name:    "negative window turns coalescing off",
			window:  -1,
			batches: [][]Entry{{deny("a", "x", 0), deny("a", "x", 0)}},
			want:    []want{{"a", 1, -1}, {"a", 1, -1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLog(t, Options{Coalesce: tt.window, FlushInterval: time.Hour})
			for _, batch := range tt.batches {
				for _, e := range batch {
					l.Record(e)
				}
				if err := l.Flush(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			got := query(t, l, Filter{})
			if len(got) != len(tt.want) {
				t.Fatalf("got %d entries %+v, want %d", len(got), got, len(tt.want))
			}
			for i, w := range tt.want {
				e := got[i]
				if e.Cmd != w.cmd || e.Count != w.count {
					t.Errorf("entry %d = %s x%d, want %s x%d", i, e.Cmd, e.Count, w.cmd, w.count)
				}
				if w.last < 0 && !e.Last.IsZero() || w.last >= 0 && !e.Last.Equal(t0.Add(w.last)) {
					t.Errorf("entry %d last = %v, want offset %v", i, e.Last, w.last)
				}
				if i > 0 && e.Seq >= got[i-1].Seq {
					t.Errorf("entry %d seq %d not below %d", i, e.Seq, got[i-1].Seq)
				}
			}
		})
	}
}

// TestCoalescedEntryTrimmedComesBack checks the count stays right when a
// plugin's bound trims its own open coalesced entry.
func TestCoalescedEntryTrimmedComesBack(t *testing.T) {
	l := newLog(t, Options{Max: 3, FlushInterval: time.Hour})
	ctx := context.Background()
	l.Record(Entry{Plugin: "p", Cmd: "x", Reason: "r"})
	for i := range 5 {
		l.Record(Entry{Plugin: "p", Cmd: fmt.Sprint(i), Allowed: true})
	}
	if err := l.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	l.Record(Entry{Plugin: "p", Cmd: "x", Reason: "r"})
	es := query(t, l, Filter{Limit: 10})
	if len(es) != 3 || es[0].Cmd != "x" || es[0].Count != 2 {
		t.Fatalf("after trim and absorb: %+v", es)
	}
}

func TestPerPluginBound(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "state.db"))
	defer db.Close()
	l, err := Open(db, Options{Max: 5, FlushInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		l.Record(Entry{Plugin: "a", Cmd: fmt.Sprint(i), Allowed: true})
	}
	for i := range 3 {
		l.Record(Entry{Plugin: "b", Cmd: fmt.Sprint(i), Allowed: true})
	}
	for i := range 7 {
		l.Record(Entry{Cmd: fmt.Sprint(i), Allowed: true})
	}
	counts := func() map[string]int {
		t.Helper()
		es := query(t, l, Filter{Limit: 100})
		m := map[string]int{}
		for _, e := range es {
			m[e.Plugin]++
		}
		return m
	}
	if got := counts(); got["a"] != 5 || got["b"] != 3 || got[""] != 5 {
		t.Fatalf("entries per plugin = %v, want a:5 b:3 core:5", got)
	}
	if es := query(t, l, Filter{Plugin: "a"}); es[0].Cmd != "19" || es[4].Cmd != "15" {
		t.Fatalf("a kept %v, want its newest five", es)
	}
	ctx := context.Background()
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	// Reopening with a smaller Max trims each plugin at once.
	if l, err = Open(db, Options{Max: 2}); err != nil {
		t.Fatal(err)
	}
	defer l.Close(ctx)
	if got := counts(); got["a"] != 2 || got["b"] != 2 || got[""] != 2 {
		t.Fatalf("after reopen with Max 2: %v", got)
	}
}

func TestSinceFilter(t *testing.T) {
	l := newLog(t, Options{})
	t0 := time.Now()
	l.Record(Entry{Plugin: "p", Cmd: "old", Allowed: true, Time: t0.Add(-time.Hour)})
	l.Record(Entry{Plugin: "p", Cmd: "new", Allowed: true, Time: t0})
	// A coalesced run that started before Since but was seen after it.
	l.Record(Entry{Plugin: "p", Cmd: "run", Reason: "r", Time: t0.Add(-40 * time.Second)})
	l.Record(Entry{Plugin: "p", Cmd: "run", Reason: "r", Time: t0.Add(-10 * time.Second)})
	es := query(t, l, Filter{Since: t0.Add(-30 * time.Second)})
	if len(es) != 2 || es[0].Cmd != "run" || es[1].Cmd != "new" {
		t.Fatalf("since filter returned %+v", es)
	}
}

// TestMigratesSingleBucket opens a state file written by the earlier
// single-bucket layout: every entry is kept and numbering continues.
func TestMigratesSingleBucket(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "state.db"))
	defer db.Close()
	err := db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucket(bucketOld)
		if err != nil {
			return err
		}
		for i, p := range []string{"a", "b", "a", ""} {
			v, _ := json.Marshal(Entry{Seq: uint64(i + 1), Plugin: p, Cmd: fmt.Sprint(i), Allowed: true, Time: time.Now()})
			if err := b.Put(binary.BigEndian.AppendUint64(nil, uint64(i+1)), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	l, err := Open(db, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close(context.Background())
	l.Record(Entry{Plugin: "b", Cmd: "4", Allowed: true})
	es := query(t, l, Filter{})
	if len(es) != 5 {
		t.Fatalf("got %d entries after migration, want 5", len(es))
	}
	for i, e := range es {
		if e.Seq != uint64(5-i) || e.Cmd != fmt.Sprint(4-i) {
			t.Fatalf("entry %d = seq %d cmd %s", i, e.Seq, e.Cmd)
		}
	}
	if a := query(t, l, Filter{Plugin: "a"}); len(a) != 2 {
		t.Fatalf("plugin a has %d entries after migration, want 2", len(a))
	}
	db.View(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketOld) != nil {
			t.Error("old audit bucket still there after migration")
		}
		return nil
	})
}

// BenchmarkRecordDenialFlood is one plugin recording the same denial as
// fast as it can: the flusher coalesces it, so throughput is bounded by
// Record and the queue rather than by bbolt writes.
func BenchmarkRecordDenialFlood(b *testing.B) {
	l := newLog(b, Options{})
	e := Entry{Plugin: "com.example.a", Launch: "l1", Cmd: "fs.read", Reason: "not_granted", Detail: "fs.read is not granted"}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			l.Record(e)
		}
	})
}
