package proctree

import (
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"
)

// TestDescendants: a child and its grandchild are found below this
// process, the child first.
func TestDescendants(t *testing.T) {
	cmd := exec.Command("sh", "-c", "sleep 30 & wait")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(10 * time.Second)
	for {
		d := Descendants(os.Getpid())
		i := slices.Index(d, cmd.Process.Pid)
		if i >= 0 && len(d) > i+1 {
			grand := Descendants(cmd.Process.Pid)[0]
			if j := slices.Index(d, grand); j <= i {
				t.Fatalf("grandchild %d at %d, child %d at %d in %v", grand, j, cmd.Process.Pid, i, d)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("child %d and its sleep not below this process: %v", cmd.Process.Pid, d)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCPU: spinning for 200 ms shows as at least 100 ms of this process's
// CPU time, and a process that does not exist has none.
func TestCPU(t *testing.T) {
	before := CPU(os.Getpid())
	for end := time.Now().Add(200 * time.Millisecond); time.Now().Before(end); {
	}
	if used := CPU(os.Getpid()) - before; used < 100*time.Millisecond {
		t.Fatalf("200 ms of spinning counted as %v", used)
	}
	if c := CPU(1 << 30); c != 0 {
		t.Fatalf("CPU of a missing process = %v", c)
	}
}

// TestSplitCPU: a child spinning for 300 ms counts below this process,
// not as its own.
func TestSplitCPU(t *testing.T) {
	cmd := exec.Command("sh", "-c", "end=$(($(date +%s%N) + 300000000)); while [ $(date +%s%N) -lt $end ]; do :; done; sleep 30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	own0, _ := SplitCPU(os.Getpid())
	deadline := time.Now().Add(10 * time.Second)
	for {
		own, below := SplitCPU(os.Getpid())
		if below >= 150*time.Millisecond {
			if own-own0 >= 150*time.Millisecond {
				t.Fatalf("the child's CPU counted as this process's own: %v", own-own0)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("a spinning child counted %v below this process", below)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
