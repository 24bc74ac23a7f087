package audit

import (
	"fmt"
	"testing"
)

// TestFlushYields: a flush of 100 entries yields its CPU after every 16th,
// so a burst holds a CPU for 16 entries' work at a time.
func TestFlushYields(t *testing.T) {
	yields := 0
	old := yield
	yield = func() { yields++ }
	t.Cleanup(func() { yield = old })
	l := newLog(t, Options{})
	// Its writer is the flusher's alone until the flusher has ended.
	if err := l.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	batch := make([]Entry, 100)
	for i := range batch {
		batch[i] = Entry{Plugin: "com.example.notes", Cmd: fmt.Sprintf("cmd%d", i), Allowed: true}
	}
	if err := l.w.write(batch); err != nil {
		t.Fatal(err)
	}
	if yields != 100/yieldEvery {
		t.Fatalf("%d yields for 100 entries, want %d", yields, 100/yieldEvery)
	}
}
