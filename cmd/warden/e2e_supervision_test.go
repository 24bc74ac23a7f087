package main

import (
	"bufio"
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/internal/helperproc"
	"github.com/wardenhq/warden/internal/proctree"
)

// TestE2ECrashRestart kills one plugin's webview process three times while
// a second plugin keeps answering invokes: the first two kills are restarted
// within a second, the third leaves the plugin stopped with the reason.
func TestE2ECrashRestart(t *testing.T) {
	needDisplay(t)
	h := e2eHost(t, host.Options{})
	a, ui := openPlugin(t, h, example(t, "hello"), nil, uiOptions())
	_, other := openPlugin(t, h, example(t, "notes"), nil, uiOptions())

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var answered atomic.Int64
	failed := make(chan error, 1)
	go func() {
		for ctx.Err() == nil {
			ectx, ecancel := context.WithTimeout(ctx, 10*time.Second)
			_, err := other.Eval(ectx, `return await warden.invoke("backend.list", {})`)
			ecancel()
			if err != nil && ctx.Err() == nil {
				failed <- err
				return
			}
			answered.Add(1)
		}
	}()

	for kill := 1; kill <= 3; kill++ {
		pid := ui.PID()
		before := answered.Load()
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		if kill == 3 {
			break
		}
		killed := time.Now()
		for ui.PID() == pid || ui.PID() == 0 {
			if time.Since(killed) > time.Second {
				t.Fatalf("kill %d: not restarted within a second", kill)
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Logf("kill %d: restarted as pid %d after %v", kill, ui.PID(), time.Since(killed))
		rctx, rcancel := context.WithTimeout(context.Background(), 30*time.Second)
		if err := ui.WaitReady(rctx); err != nil {
			rcancel()
			t.Fatal(err)
		}
		rcancel()
		var reply string
		eval(t, ui, `return await warden.invoke("backend.greet", "again")`, &reply)
		if reply != "Hello, again!" {
			t.Fatalf("after restart greet = %q", reply)
		}
		for answered.Load() == before {
			select {
			case err := <-failed:
				t.Fatalf("the other plugin stopped answering: %v", err)
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := windowsOf(h).State(a.ID())
		if st.Stopped {
			if !strings.Contains(st.Reason, "crashed 3 times") {
				t.Fatalf("stopped with reason %q", st.Reason)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after three crashes the plugin is still %+v", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case err := <-failed:
		t.Fatalf("the other plugin stopped answering: %v", err)
	default:
	}
	var list []any
	eval(t, other, `return await warden.invoke("backend.list", {})`, &list)
}

// TestE2ENoOrphans kills the core with SIGKILL and checks that its webview
// process and everything that process started are gone.
func TestE2ENoOrphans(t *testing.T) {
	t.Parallel()
	needDisplay(t)
	cmd := helperproc.Command(wardenRole, "open", "--profile", t.TempDir(), example(t, "hello"))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	sc := bufio.NewScanner(stderr)
	for sc.Scan() && !strings.Contains(sc.Text(), "is running") {
	}
	go func() {
		for sc.Scan() {
		}
	}()
	// The page loads in a WebKit web process under the webview process;
	// wait until the core has descendants at least two levels deep.
	var tree []int
	deadline := time.Now().Add(30 * time.Second)
	for {
		tree = proctree.Descendants(cmd.Process.Pid)
		if len(tree) >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the core started no webview process: %v", tree)
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	tree = proctree.Descendants(cmd.Process.Pid)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	deadline = time.Now().Add(5 * time.Second)
	for _, pid := range tree {
		for alive(pid) {
			if time.Now().After(deadline) {
				t.Fatalf("process %d (%s) outlived the core", pid, cmdline(pid))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// alive reports whether pid exists and is not a zombie.
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(f) > 0 && f[0] != "Z"
}

func cmdline(pid int) string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	return strings.ReplaceAll(string(b), "\x00", " ")
}
