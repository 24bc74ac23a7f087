package main

import (
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/wardenhq/warden/host"
)

// TestE2ESpareServesOnePluginOnly: with spares on, a window opens in the
// webview process started ahead of need, which is in an empty network
// namespace like any other; every window gets a process no other plugin's
// window ever had (also after a crash), and what one plugin's page stored
// is not there for the next.
func TestE2ESpareServesOnePluginOnly(t *testing.T) {
	t.Parallel()
	needDisplay(t)
	h := e2eHost(t, host.Options{})
	windows := windowsOf(h)
	opts := uiOptions()
	opts.Spare = true
	windows.PrepareSpare(opts)
	spare := func(not ...int) int {
		t.Helper()
		var pid int
		waitUntil(t, "a new spare webview process", 20*time.Second, func() bool {
			pid = windows.SparePID()
			for _, n := range not {
				if pid == n {
					return false
				}
			}
			return pid != 0
		})
		return pid
	}
	first := spare()
	if self, _ := os.Readlink("/proc/self/ns/net"); self == "" || netns(t, first) == self {
		t.Fatalf("the spare shares the core's network namespace (%s)", self)
	}

	_, a := openPlugin(t, h, pagePluginWith(t, "Keeper", map[string]any{"permissions": []string{}}, ``), nil, opts)
	if a.PID() != first {
		t.Fatalf("the first window runs in %d, not in the spare %d", a.PID(), first)
	}
	var stored string
	eval(t, a, `localStorage.setItem("secret", "keeper's"); return localStorage.getItem("secret")`, &stored)
	if stored != "keeper's" {
		t.Fatalf("localStorage in the first window: %q", stored)
	}

	second := spare(first)
	_, b := openPlugin(t, h, pagePluginWith(t, "Reader", map[string]any{"permissions": []string{}}, ``), nil, opts)
	if b.PID() != second || b.PID() == a.PID() {
		t.Fatalf("the second window runs in %d: spare %d, first window %d", b.PID(), second, a.PID())
	}
	var found any
	eval(t, b, `return localStorage.getItem("secret")`, &found)
	if found != nil {
		t.Fatalf("the second plugin's page reads %v from the first's storage", found)
	}

	// A crash restarts the window in a process no one used: a new spare.
	third := spare(first, second)
	old := a.PID()
	if err := killPID(old); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the crashed window restarts", 20*time.Second, func() bool { return a.PID() != 0 && a.PID() != old })
	if p := a.PID(); p != third || p == b.PID() {
		t.Fatalf("the restarted window runs in %d: spare %d, other window %d", p, third, b.PID())
	}
}

// netns returns the network namespace of process pid.
func netns(t *testing.T, pid int) string {
	t.Helper()
	ns, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

// killPID kills process pid as a crash would.
func killPID(pid int) error { return syscall.Kill(pid, syscall.SIGKILL) }
