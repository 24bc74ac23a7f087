package window

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/host/audit"
	"github.com/wardenhq/warden/host/supervise"
	"github.com/wardenhq/warden/host/webview/webext"
)

// Manager runs the windows of one core's plugins, at most one per plugin,
// under one supervisor. It is safe for concurrent use.
type Manager struct {
	core *host.Host
	log  *slog.Logger
	sup  *supervise.Supervisor

	extMissing sync.Once // warns once that the web extension is not installed

	mu      sync.RWMutex
	windows map[string]*Window
	onCrash func(id string, c supervise.Crash)

	spare spares
}

// OnCrash sets fn to be told of every crash of a plugin's webview
// process, after the crash is audited (command "warden.crash") and before
// the window restarts. It replaces an earlier fn; fn must return quickly.
func (m *Manager) OnCrash(fn func(id string, c supervise.Crash)) {
	m.mu.Lock()
	m.onCrash = fn
	m.mu.Unlock()
}

// CrashDetail says in words how a window crashed and what followed.
func CrashDetail(c supervise.Crash) string {
	if c.Stopped {
		return fmt.Sprintf("the window's process ended (%s); after %d crashes within minutes it was not restarted", c.Cause, c.Count)
	}
	return "the window's process ended (" + c.Cause + "); it was restarted"
}

// crashed audits a crash of plugin id's webview process and passes it on.
func (m *Manager) crashed(id string, c supervise.Crash) {
	reason := ReasonCrashed
	if c.Stopped {
		reason = ReasonCrashedTooOften
	}
	m.core.Audit().Record(audit.Entry{Time: c.At, Plugin: id, Cmd: "warden.crash", Allowed: true, Reason: reason, Detail: CrashDetail(c)})
	m.mu.RLock()
	fn := m.onCrash
	m.mu.RUnlock()
	if fn != nil {
		fn(id, c)
	}
}

// The audit reasons of a window's crashes (command "warden.crash").
const (
	ReasonCrashed         = "crashed"
	ReasonCrashedTooOften = "crashed_too_often"
)

// NewManager creates a manager whose webview processes restart within
// policy (zero fields take supervise's defaults), and attaches it to core:
// unloading a plugin closes its window, closing core closes them all.
func NewManager(core *host.Host, policy supervise.Policy) (*Manager, error) {
	m := &Manager{core: core, log: core.Logger(), windows: map[string]*Window{}}
	m.sup = supervise.New(policy, m.log)
	if err := core.Attach(m); err != nil {
		return nil, fmt.Errorf("window manager: %w", err)
	}
	return m, nil
}

// Open opens p's window in a new webview process. It returns once the
// process is started; Window.WaitReady waits for the page. Opening a
// plugin whose window is running is supervise.ErrRunning.
func (m *Manager) Open(ctx context.Context, p *host.Plugin, opts Options) (*Window, error) {
	if p.Manifest().UI == nil {
		return nil, fmt.Errorf("open %s: the plugin has no ui", p.ID())
	}
	opts, err := withProgram(opts)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", p.ID(), err)
	}
	if err := checkProgram(opts.Executable); err != nil {
		return nil, fmt.Errorf("open %s: %w", p.ID(), err)
	}
	if err := CheckDisplay(opts.Env); err != nil {
		return nil, fmt.Errorf("open %s: %w", p.ID(), err)
	}
	if !opts.NoChannel {
		if _, err := webext.Dir(opts.Executable); err != nil {
			m.extMissing.Do(func() {
				m.log.Warn("invokes will be relayed by each webview process, about twice as slow", "err", err)
			})
		}
	}
	w := newWindow(m, p, opts)
	if err := m.sup.Add(ctx, supervise.Unit{Name: p.ID(), Start: w.start, Serve: w.serve,
		OnCrash: func(c supervise.Crash) { m.crashed(p.ID(), c) }}); err != nil {
		return nil, fmt.Errorf("open %s: %w", p.ID(), err)
	}
	m.mu.Lock()
	m.windows[p.ID()] = w
	m.mu.Unlock()
	return w, nil
}

// withProgram fills in opts.Executable when it is empty: the webview
// program beside this executable.
func withProgram(opts Options) (Options, error) {
	if opts.Executable == "" {
		exe, err := os.Executable()
		if err != nil {
			return opts, err
		}
		opts.Executable = ProgramPath(exe)
	}
	return opts, nil
}

// Window returns plugin id's window, or nil when none was opened (or it
// was stopped).
func (m *Manager) Window(id string) *Window {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.windows[id]
}

// Stop closes the window of plugin id and stops its webview process,
// killing it if it has not exited when ctx ends.
func (m *Manager) Stop(ctx context.Context, id string) error {
	m.mu.Lock()
	delete(m.windows, id)
	m.mu.Unlock()
	return m.sup.Stop(ctx, id)
}

// State reports the supervision state of plugin id's window.
func (m *Manager) State(id string) supervise.State { return m.sup.State(id) }

// Watch returns a channel that receives plugin id's window state, first
// the current one, then each change, and a function that stops the watch
// and closes the channel (see supervise.Supervisor.Watch: a slow reader
// loses older states, never the latest).
func (m *Manager) Watch(id string) (<-chan supervise.State, func()) {
	ch := m.sup.Watch(id)
	return ch, func() { m.sup.Unwatch(id, ch) }
}

// Wait blocks until plugin id's window is stopped for good (closed by the
// user, stopped, or crashed too often) or ctx ends, and returns why: nil
// for a window the user closed or the host stopped.
func (m *Manager) Wait(ctx context.Context, id string) error {
	st, err := m.sup.Wait(ctx, id)
	if err != nil {
		return err
	}
	if st.Err != nil && !errors.Is(st.Err, supervise.ErrClosed) && !errors.Is(st.Err, supervise.ErrShutdown) {
		return fmt.Errorf("%s: %s", id, st.Reason)
	}
	return nil
}

// Release closes plugin id's window: the core calls it when the plugin is
// unloaded (host.Attachment).
func (m *Manager) Release(ctx context.Context, id string) error { return m.Stop(ctx, id) }

// Close stops every window (host.Attachment: the core calls it when it
// closes).
func (m *Manager) Close(ctx context.Context) error {
	m.closeSpare()
	m.mu.Lock()
	m.windows = map[string]*Window{}
	m.mu.Unlock()
	return m.sup.Close(ctx)
}
