package audit

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestFlusherRunsAtLowerPriority: opening a log adds a thread at the
// flusher's nice value to this process, and closing the log ends it.
func TestFlusherRunsAtLowerPriority(t *testing.T) {
	// Logs other tests left open have their flushers too.
	before := threadsAtNice(t, flusherNice)
	l := newLog(t, Options{})
	deadline := time.Now().Add(5 * time.Second)
	for threadsAtNice(t, flusherNice) != before+1 {
		if time.Now().After(deadline) {
			t.Fatalf("no thread at nice %d while the log is open", flusherNice)
		}
		time.Sleep(10 * time.Millisecond)
	}
	l.Record(Entry{Plugin: "com.example.notes", Cmd: "storage.get", Allowed: true})
	if err := l.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	for threadsAtNice(t, flusherNice) != before {
		if time.Now().After(deadline) {
			t.Fatal("the flusher's thread outlived the log")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// threadsAtNice counts this process's threads whose nice value is nice
// (field 19 of /proc/self/task/TID/stat).
func threadsAtNice(t *testing.T, nice int) int {
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
		if v, err := strconv.Atoi(f[16]); err == nil && v == nice {
			n++
		}
	}
	return n
}
