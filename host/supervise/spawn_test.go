package supervise

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wardenhq/warden/host/ipc"
	"github.com/wardenhq/warden/internal/helperproc"
)

func TestSpawnRoundTrip(t *testing.T) {
	c, err := Spawn(t.Context(), helperSpec("echo", nil))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Kill()
	if c.PID != c.Cmd.Process.Pid || c.PID <= 0 {
		t.Fatalf("PID %d, process %d", c.PID, c.Cmd.Process.Pid)
	}
	if pgid, err := syscall.Getpgid(c.PID); err != nil || pgid != c.PID {
		t.Fatalf("child's process group %d (%v), want its own (%d)", pgid, err, c.PID)
	}
	tests := []struct {
		name    string
		id      uint32
		payload string
	}{
		{"small", 1, "hello"},
		{"empty", 2, ""},
		{"large", 3, strings.Repeat("x", 1<<20)},
		{"max id", 1<<32 - 1, "w1.a.b.c.d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := roundTrip(t, c, tt.id, tt.payload)
			if f.Type != ipc.TypeInvoke || f.ID != tt.id || string(f.Payload) != tt.payload {
				t.Fatalf("echo %v/%d/%d bytes, want invoke/%d/%d bytes", f.Type, f.ID, len(f.Payload), tt.id, len(tt.payload))
			}
		})
	}
}

// TestSpawnExtra gives the child a second socketpair at fd 4.
func TestSpawnExtra(t *testing.T) {
	spec := helperSpec("echo-extra", nil)
	spec.Extra = 1
	c, err := Spawn(t.Context(), spec)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Kill()
	if len(c.Extra) != 1 {
		t.Fatalf("%d extra connections, want 1", len(c.Extra))
	}
	if err := c.Extra[0].Send(ipc.Frame{Type: ipc.TypeInvoke, ID: 7, Payload: []byte("on fd 4")}); err != nil {
		t.Fatal(err)
	}
	f, err := c.Extra[0].Recv()
	if err != nil || f.ID != 7 || string(f.Payload) != "on fd 4" {
		t.Fatalf("echo on fd 4: %+v, %v", f, err)
	}
	// fd 3 is unaffected.
	if f := roundTrip(t, c, 8, "on fd 3"); f.ID != 8 || string(f.Payload) != "on fd 3" {
		t.Fatalf("echo on fd 3: %+v", f)
	}
}

func TestChildStop(t *testing.T) {
	tests := []struct {
		name    string
		mode    string
		timeout time.Duration
		status  string
		within  time.Duration
	}{
		{"graceful on SIGTERM", "echo", 5 * time.Second, "exit status 0", time.Second},
		{"killed when SIGTERM is ignored", "ignore-term", 200 * time.Millisecond, "signal: killed", 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Spawn(t.Context(), helperSpec(tt.mode, nil))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Kill()
			roundTrip(t, c, 1, "up") // the signal handler is installed
			ctx, cancel := context.WithTimeout(t.Context(), tt.timeout)
			defer cancel()
			start := time.Now()
			if err := c.Stop(ctx); err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); d > tt.within {
				t.Errorf("Stop took %v, want under %v", d, tt.within)
			}
			if !c.Exited() || c.Status() != tt.status {
				t.Fatalf("after Stop: exited %v, status %q, want %q", c.Exited(), c.Status(), tt.status)
			}
			if alive(c.PID) {
				t.Fatal("child still alive")
			}
		})
	}
}

func TestChildKillReachesGrandchild(t *testing.T) {
	c, err := Spawn(t.Context(), helperSpec("echo", nil))
	if err != nil {
		t.Fatal(err)
	}
	f := roundTrip(t, c, 1, "grandchild")
	gpid := atoiT(t, string(f.Payload))
	if !alive(gpid) {
		t.Fatalf("grandchild %d not running", gpid)
	}
	if err := c.Kill(); err != nil {
		t.Fatal(err)
	}
	var exit *exec.ExitError
	if err := c.Wait(); !errors.As(err, &exit) || c.Status() != "signal: killed" {
		t.Fatalf("Wait: %v (status %q), want signal: killed", err, c.Status())
	}
	waitGone(t, gpid, 2*time.Second)
	if err := c.Kill(); err != nil {
		t.Fatalf("Kill of a gone group: %v", err)
	}
}

func TestChildWaitFromManyGoroutines(t *testing.T) {
	c, err := Spawn(t.Context(), helperSpec("exit", nil))
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for range cap(errs) {
		go func() { errs <- c.Wait() }()
	}
	first := <-errs
	if first == nil || first.Error() != "exit status 1" {
		t.Fatalf("Wait: %v, want exit status 1", first)
	}
	for range cap(errs) - 1 {
		if err := <-errs; err != first {
			t.Fatalf("Wait returned %v and %v", first, err)
		}
	}
	if err := c.Wait(); err != first {
		t.Fatalf("a later Wait returned %v, want %v", err, first)
	}
}

func TestSpawnOutput(t *testing.T) {
	var stderr helperproc.Output
	c, err := Spawn(t.Context(), helperSpec("no-such-mode", &stderr))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Wait(); err == nil || c.Status() != "exit status 2" {
		t.Fatalf("Wait: %v, want exit status 2", err)
	}
	// The copy may finish just after the exit.
	for deadline := time.Now().Add(2 * time.Second); !strings.Contains(stderr.String(), `"no-such-mode" names no role`); {
		if time.Now().After(deadline) {
			t.Fatalf("stderr %q", stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestSpawnErrors(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		spec Spec
		want error
	}{
		{"cancelled context", cancelled, helperSpec("echo", nil), context.Canceled},
		{"missing executable", context.Background(), Spec{Path: "/nonexistent/warden", Stderr: &helperproc.Output{}}, os.ErrNotExist},
		{"bad directory", context.Background(), Spec{Path: os.Args[0], Dir: "/nonexistent"}, os.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := openFDs(t)
			c, err := Spawn(tt.ctx, tt.spec)
			if err == nil {
				c.Kill()
				t.Fatal("Spawn succeeded")
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			// Fewer is fine: an earlier test's output copy may have just ended.
			if after := openFDs(t); after > before {
				t.Fatalf("%d open descriptors before, %d after: Spawn leaked", before, after)
			}
		})
	}
}

// TestPdeathsig kills a core with SIGKILL and checks that its child dies
// too, also when the goroutine that called Spawn exited locked to its
// thread (the thread the parent-death signal is tied to).
func TestPdeathsig(t *testing.T) {
	for _, mode := range []string{"core", "core-thread"} {
		t.Run(mode, func(t *testing.T) {
			core := helperCommand(mode)
			core.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
			out, err := core.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			core.Stderr = &stderr
			if err := core.Start(); err != nil {
				t.Fatal(err)
			}
			defer core.Process.Kill()
			pid := readPID(t, out)
			// Give a dying spawn thread time to take the child with it.
			time.Sleep(200 * time.Millisecond)
			if !alive(pid) {
				t.Fatalf("child %d died while its core lives (stderr %q)", pid, stderr.String())
			}
			if err := core.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			core.Wait()
			waitGone(t, pid, 3*time.Second)
		})
	}
}

func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

func atoiT(t *testing.T, s string) int {
	t.Helper()
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			t.Fatalf("not a number: %q", s)
		}
		n = n*10 + int(r-'0')
	}
	return n
}
