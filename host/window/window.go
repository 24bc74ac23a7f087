package window

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/host/ipc"
	"github.com/wardenhq/warden/host/supervise"
)

// Window is one plugin's window, run in its own supervised webview
// process. A crash of that process starts a new launch (new key, new
// launch id).
type Window struct {
	m      *Manager
	core   *host.Host
	plugin *host.Plugin
	log    *slog.Logger
	opts   Options

	mu     sync.Mutex
	child  *supervise.Child
	launch *host.Launch
	next   *host.Launch  // handed to the webview process for its next page
	ready  chan struct{} // closed when the current page loaded
	// waiting are the requests (Evals, desktop requests) waiting for
	// the webview process's answer, by frame id.
	waiting map[uint32]chan ipc.Frame
	nextID  atomic.Uint32

	direct, relayed atomic.Uint64    // envelopes received by each route
	network         NetworkIsolation // of the current child; under mu
	netWarn         sync.Once        // warns once of a window with network access
	requireNet      atomic.Bool      // opts.RequireNetworkIsolation, changed live
	notice          string           // shown over the page (SetNotice); under mu
}

func newWindow(m *Manager, p *host.Plugin, opts Options) *Window {
	w := &Window{m: m, core: m.core, plugin: p, log: m.log, opts: opts, ready: make(chan struct{}), waiting: map[uint32]chan ipc.Frame{}}
	w.requireNet.Store(opts.RequireNetworkIsolation)
	return w
}

// Plugin returns the plugin the window shows.
func (w *Window) Plugin() *host.Plugin { return w.plugin }

// Invokes reports how many envelopes the window's pages have sent straight
// to the core through the web process extension, and how many the webview
// process relayed (no extension, or Options.NoChannel).
func (w *Window) Invokes() (direct, relayed uint64) {
	return w.direct.Load(), w.relayed.Load()
}

// start begins a new launch: a fresh key, a new process, the init frame.
func (w *Window) start(ctx context.Context) (*supervise.Child, error) {
	l, key, err := w.plugin.Launch()
	if err != nil {
		return nil, err
	}
	m := w.plugin.Manifest()
	dir, err := filepath.Abs(w.plugin.Dir())
	if err != nil {
		return nil, err
	}
	init := ipc.Init{
		PluginID: m.ID, LaunchID: l.ID(), Key: key[:], Dir: dir, Entry: m.UI.Entry,
		Title: Title(m), Width: 800, Height: 600, CSP: m.CSP(),
		IsolationJS: w.opts.IsolationJS, Sandbox: !w.opts.NoSandbox, Debug: w.opts.Debug, Dev: w.opts.Dev,
		Channel: !w.opts.NoChannel, Features: w.opts.WebKitFeatures, MaxEnvelope: w.core.Limits().MaxEnvelope,
	}
	if mw := m.UI.Window; mw != nil {
		if mw.Width > 0 {
			init.Width = mw.Width
		}
		if mw.Height > 0 {
			init.Height = mw.Height
		}
	}
	if init.Icons, err = icons(dir, m); err != nil {
		w.log.Warn("window icons", "plugin", m.ID, "err", err)
	}
	if w.opts.X != 0 || w.opts.Y != 0 {
		init.Placed, init.X, init.Y = true, w.opts.X, w.opts.Y
	}
	if !w.opts.Ephemeral {
		init.DataDir = w.plugin.WebDataDir()
	}
	payload, err := json.Marshal(init)
	if err != nil {
		return nil, err
	}
	child, err := w.spawn(ctx, processSpec(w.opts))
	if err != nil {
		return nil, err
	}
	if err := child.Conn.Send(ipc.Frame{Type: ipc.TypeInit, Payload: payload}); err != nil {
		child.Kill()
		child.Close()
		return nil, fmt.Errorf("send init: %w", err)
	}
	w.mu.Lock()
	w.child = child
	w.ready = make(chan struct{})
	notice := w.notice
	w.mu.Unlock()
	if notice != "" {
		child.Conn.Send(ipc.Frame{Type: ipc.TypeNotice, Payload: []byte(notice)})
	}
	w.use(child, l)
	if err := w.handOverNext(child); err != nil {
		child.Kill()
		child.Close()
		return nil, err
	}
	return child, nil
}

// use makes l the launch of child's current page: its events go to child,
// and its clipboard and file dialogs are child's window's.
func (w *Window) use(child *supervise.Child, l *host.Launch) {
	l.SetDesktop(&desktop{w: w, child: child, launch: l.ID()})
	l.OnEvent(func(e host.Event) {
		b, err := json.Marshal(e)
		if err == nil {
			child.Conn.Send(ipc.Frame{Type: ipc.TypeEvent, Payload: b})
		}
	})
	w.mu.Lock()
	w.launch = l
	w.mu.Unlock()
}

// handOverNext gives the webview process the launch its next page will use
// (a reload or a navigation inside the plugin), ahead of time, so a new
// page never waits for the core and never shares a key with the last one.
func (w *Window) handOverNext(child *supervise.Child) error {
	l, key, err := w.plugin.Launch()
	if err != nil {
		return err
	}
	b, err := json.Marshal(ipc.NextLaunch{LaunchID: l.ID(), Key: key[:]})
	if err != nil {
		return err
	}
	w.mu.Lock()
	w.next = l
	w.mu.Unlock()
	if err := child.Conn.Send(ipc.Frame{Type: ipc.TypeNextLaunch, Payload: b}); err != nil {
		return fmt.Errorf("send next launch: %w", err)
	}
	return nil
}

// WaitReady waits until the current launch's page has loaded.
func (w *Window) WaitReady(ctx context.Context) error {
	w.mu.Lock()
	ready := w.ready
	w.mu.Unlock()
	select {
	case <-ready:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for %s page: %w", w.plugin.ID(), ctx.Err())
	}
}

// Eval runs js in the plugin page's own world (awaiting a returned promise)
// and returns its JSON result. It is for the host's own use (tests, the
// demo, benchmarks), never reachable from plugins.
func (w *Window) Eval(ctx context.Context, js string) (json.RawMessage, error) {
	id := w.nextID.Add(1)
	ch := make(chan ipc.Frame, 1)
	w.mu.Lock()
	child := w.child
	w.waiting[id] = ch
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		delete(w.waiting, id)
		w.mu.Unlock()
	}()
	if child == nil {
		return nil, fmt.Errorf("eval in %s: no window", w.plugin.ID())
	}
	if err := child.Conn.Send(ipc.Frame{Type: ipc.TypeEval, ID: id, Payload: []byte(js)}); err != nil {
		return nil, fmt.Errorf("eval in %s: %w", w.plugin.ID(), err)
	}
	select {
	case f := <-ch:
		if f.Payload == nil {
			return nil, fmt.Errorf("eval in %s: the window's webview process ended", w.plugin.ID())
		}
		var r struct {
			OK    bool            `json:"ok"`
			Value json.RawMessage `json:"value"`
			Error string          `json:"error"`
		}
		if err := json.Unmarshal(f.Payload, &r); err != nil {
			return nil, fmt.Errorf("eval in %s: %w", w.plugin.ID(), err)
		}
		if !r.OK {
			return nil, fmt.Errorf("eval in %s: %s", w.plugin.ID(), r.Error)
		}
		return r.Value, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("eval in %s: %w", w.plugin.ID(), ctx.Err())
	}
}

// PID returns the current webview process id, or 0.
func (w *Window) PID() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.child == nil {
		return 0
	}
	return w.child.PID
}

// Reload reloads the window's page, as F5 would: the new page commits with
// a new launch like any other. The window and its webview process stay.
func (w *Window) Reload() error {
	return w.sendChild(ipc.Frame{Type: ipc.TypeReload})
}

// SetNotice shows text over the top of the window, outside the page, or
// hides the notice when text is "". The notice stays across restarts of
// the webview process until it is changed. Under warden dev it shows a
// backend's build error.
func (w *Window) SetNotice(text string) error {
	w.mu.Lock()
	w.notice = text
	w.mu.Unlock()
	return w.sendChild(ipc.Frame{Type: ipc.TypeNotice, Payload: []byte(text)})
}

// sendChild sends f to the current webview process.
func (w *Window) sendChild(f ipc.Frame) error {
	w.mu.Lock()
	child := w.child
	w.mu.Unlock()
	if child == nil {
		return fmt.Errorf("%s to %s: no window", f.Type, w.plugin.ID())
	}
	if err := child.Conn.Send(f); err != nil {
		return fmt.Errorf("%s to %s: %w", f.Type, w.plugin.ID(), err)
	}
	return nil
}
