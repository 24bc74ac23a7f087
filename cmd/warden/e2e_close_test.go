package main

import (
	"context"
	"errors"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/host/supervise"
	"github.com/wardenhq/warden/internal/xclose"
)

// TestE2EUserClosesWindow closes the hello window the way a window
// manager's close button does (WM_DELETE_WINDOW from another X client):
// hello's webview process ends and stays stopped as "closed", not as a
// crash, while the notes plugin beside it keeps answering.
func TestE2EUserClosesWindow(t *testing.T) {
	needDisplay(t)
	h := e2eHost(t, host.Options{})
	hello, ui := openPlugin(t, h, example(t, "hello"), nil, uiOptions())
	_, other := openPlugin(t, h, example(t, "notes"), nil, uiOptions())
	pid := ui.PID()

	if err := xclose.Request(os.Getenv("DISPLAY"), "Hello — plugin by Warden"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := windowsOf(h).Wait(ctx, hello.ID()); err != nil {
		t.Fatalf("closing the window: %v, want a clean stop", err)
	}
	st := windowsOf(h).State(hello.ID())
	if !st.Stopped || st.Crashes != 0 || st.Starts != 1 {
		t.Fatalf("hello after close: %+v, want stopped once, no crash", st)
	}
	if !errors.Is(st.Err, supervise.ErrClosed) {
		t.Fatalf("hello stopped for %q (%v), want closed", st.Reason, st.Err)
	}
	if err := syscall.Kill(pid, 0); err == nil {
		t.Fatalf("hello's webview process %d is still running", pid)
	}
	var notes []string
	eval(t, other, `await warden.invoke("backend.save", {text: "still here"}); return (await warden.invoke("backend.list", {})).map(n => n.text)`, &notes)
	if !slices.Contains(notes, "still here") {
		t.Fatalf("notes after hello closed: %q", notes)
	}
}
