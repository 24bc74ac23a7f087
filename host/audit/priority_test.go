package audit

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestFlusherRunsAtLowerPriority: opening a log adds a thread under
// SCHED_IDLE to this process, and closing the log ends it.
func TestFlusherRunsAtLowerPriority(t *testing.T) {
	// Logs other tests left open have their flushers too.
	before := idleThreads(t)
	l := newLog(t, Options{})
	deadline := time.Now().Add(5 * time.Second)
	for idleThreads(t) != before+1 {
		if time.Now().After(deadline) {
			t.Fatalf("no SCHED_IDLE thread while the log is open")
		}
		time.Sleep(10 * time.Millisecond)
	}
	l.Record(Entry{Plugin: "com.example.notes", Cmd: "storage.get", Allowed: true})
	if err := l.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	for idleThreads(t) != before {
		if time.Now().After(deadline) {
			t.Fatal("the flusher's thread outlived the log")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// idleThreads counts this process's threads whose scheduling policy is
// SCHED_IDLE (field 41 of /proc/self/task/TID/stat).
func idleThreads(t *testing.T) int {
	t.Helper()
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, task := range tasks {
		b, err := os.ReadFile("/proc/self/task/" + task.Name() + "/stat")
		if err != nil {
			continue // ended meanwhile
		}
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
		if v, err := strconv.Atoi(f[38]); err == nil && v == unix.SCHED_IDLE {
			n++
		}
	}
	return n
}
