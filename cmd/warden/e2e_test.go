package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/host/audit"
	"github.com/wardenhq/warden/host/supervise"
	"github.com/wardenhq/warden/host/window"
	"github.com/wardenhq/warden/internal/plugintest"
	"github.com/wardenhq/warden/permissions"
)

// The end-to-end tests run real WebKitGTK windows: each plugin UI is this
// test binary re-executed as `warden webview` (see TestMain), exactly as the
// warden binary re-executes itself.

// needDisplay fails the test when there is no X display: these tests must
// never pass by not running.
func needDisplay(t testing.TB) {
	t.Helper()
	if os.Getenv("DISPLAY") == "" {
		t.Fatal("needs a display: run under xvfb-run -a (make test does)")
	}
}

// e2eHost starts a host on a fresh profile.
// quietLog keeps the host's routine log out of test output.
var quietLog = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

func e2eHost(t testing.TB, opts host.Options) *host.Host {
	t.Helper()
	if opts.Profile == "" {
		opts.Profile = t.TempDir()
	}
	if opts.CacheDir == "" {
		// The cache the warden processes of the run share (see TestMain).
		opts.CacheDir = os.Getenv(cacheDirEnv)
	}
	if opts.Logger == nil {
		opts.Logger = quietLog
	}
	h, err := host.New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close(context.Background()) })
	return h
}

var (
	windowsMu sync.Mutex
	windows   = map[*host.Host]*window.Manager{}
)

// windowsOf returns the window manager of h, made on first use with the
// default restart policy.
func windowsOf(h *host.Host) *window.Manager {
	windowsMu.Lock()
	defer windowsMu.Unlock()
	if m := windows[h]; m != nil {
		return m
	}
	m, err := window.NewManager(h, supervise.Policy{})
	if err != nil {
		panic(err)
	}
	windows[h] = m
	return m
}

// uiOptions run the webview program TestMain built.
func uiOptions() window.Options {
	return window.Options{
		Executable: os.Getenv(window.EnvProgram),
		Env:        os.Environ(),
		Ephemeral:  true,
		Stderr:     os.Stderr,
	}
}

// openPlugin builds, loads and opens the plugin in dir with grants, and
// waits for its page.
func openPlugin(t testing.TB, h *host.Host, dir string, grants permissions.Grants, opts window.Options) (*host.Plugin, *window.Window) {
	t.Helper()
	ctx := context.Background()
	m, err := warden.BuildSource(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if grants == nil {
		grants = host.GrantAll(m)
	}
	p, err := h.Load(ctx, dir, host.LoadOptions{Grants: grants})
	if err != nil {
		t.Fatal(err)
	}
	ui, err := windowsOf(h).Open(ctx, p, opts)
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := ui.WaitReady(wctx); err != nil {
		t.Fatal(err)
	}
	return p, ui
}

// eval runs js (an async function body) in the page and decodes the result.
func eval(t *testing.T, ui *window.Window, js string, v any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := ui.Eval(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(res, v); err != nil {
		t.Fatalf("eval result %s: %v", res, err)
	}
}

// example copies examples/<name> for the test, with its backend built once
// per test run (nothing is built into the source tree).
func example(t testing.TB, name string) string {
	t.Helper()
	return plugintest.Example(t, name)
}

func TestE2EHelloGreets(t *testing.T) {
	t.Parallel()
	needDisplay(t)
	h := e2eHost(t, host.Options{})
	_, ui := openPlugin(t, h, example(t, "hello"), nil, uiOptions())
	var reply string
	for _, st := range demoSteps {
		if st.plugin == "hello" {
			eval(t, ui, st.js, &reply)
		}
	}
	if reply != "Hello, Ada!" {
		t.Fatalf("the page shows %q, want the backend's greeting", reply)
	}
}

func TestE2ENotesSavesAndLists(t *testing.T) {
	t.Parallel()
	needDisplay(t)
	h := e2eHost(t, host.Options{})
	p, ui := openPlugin(t, h, example(t, "notes"), nil, uiOptions())
	var notes []string
	for _, st := range demoSteps {
		if st.plugin == "notes" {
			eval(t, ui, st.js, &notes)
		}
	}
	if len(notes) != 1 || notes[0] != "Try Warden's isolation hook" {
		t.Fatalf("the page lists %q", notes)
	}
	// The note went through storage: the backend's host call was audited.
	var found bool
	es, err := h.Audit().Query(context.Background(), auditFilter(p.ID()))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		found = found || (e.Cmd == "storage.set" && e.Allowed)
	}
	if !found {
		t.Fatalf("no allowed storage.set in the audit log: %+v", es)
	}
}

func auditFilter(plugin string) audit.Filter { return audit.Filter{Plugin: plugin, Limit: 200} }
