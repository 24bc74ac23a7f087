package window

import (
	"context"
	"io"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/wardenhq/warden/host/supervise"
)

// Spare webview processes. Before a plugin's page can load, its webview
// process must start: exec, the dynamic loading of WebKitGTK's libraries,
// the Go runtime, GTK's start and its connection to the display. With
// Options.Spare the manager keeps one webview process started ahead of
// need that has done all of that and knows nothing of any plugin: it
// waits for its first frame. The next window that opens takes it and
// sends it its plugin's Init as it would to a process just started, and a
// new spare is started shortly after, so that no webview process ever
// serves two plugins (Chrome keeps a spare renderer the same way). A spare
// costs one idle webview process: bench/RESULTS.md has its memory.

// spareRefillDelay leaves the CPU to the window that took the spare
// before the next spare starts.
const spareRefillDelay = 750 * time.Millisecond

// spares holds a manager's spare webview process.
type spares struct {
	mu      sync.Mutex
	child   *supervise.Child // nil when none is ready
	spec    supervise.Spec   // what child was started with
	pending bool             // a spare is being started or is scheduled
	closed  bool
}

// processSpec is how a window's webview process is started under opts
// (before the network namespace is decided).
func processSpec(opts Options) supervise.Spec {
	spec := supervise.Spec{Path: opts.Executable, Args: opts.Args, Env: opts.Env, Stderr: opts.Stderr}
	if !opts.NoChannel {
		spec.Extra = 1
	}
	return spec
}

// sameSpec reports whether processes started as a and b are
// interchangeable.
func sameSpec(a, b supervise.Spec) bool {
	return a.Path == b.Path && slices.Equal(a.Args, b.Args) && slices.Equal(a.Env, b.Env) &&
		sameWriter(a.Stdout, b.Stdout) && sameWriter(a.Stderr, b.Stderr) &&
		a.Dir == b.Dir && a.Extra == b.Extra && a.NoNetwork == b.NoNetwork
}

// sameWriter compares two writers without panicking on types that cannot
// be compared.
func sameWriter(a, b io.Writer) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if reflect.TypeOf(a) != reflect.TypeOf(b) || !reflect.TypeOf(a).Comparable() {
		return false
	}
	return a == b
}

// PrepareSpare starts a spare webview process for the next window opened
// with opts, unless one is ready or starting; it returns at once. Windows
// whose Options.Spare is set also start the next spare themselves when
// they take one. A spare is only ever started in an empty network
// namespace: where none can be made, there are no spares.
func (m *Manager) PrepareSpare(opts Options) {
	opts, err := withProgram(opts)
	if err != nil {
		return
	}
	if sharedNetworkReason(opts.SharedNetwork, opts.Env) != "" {
		return
	}
	spec := processSpec(opts)
	spec.NoNetwork = true
	m.prepareSpare(spec, 0)
}

// prepareSpare starts a spare as spec says after delay, unless one is
// ready or starting.
func (m *Manager) prepareSpare(spec supervise.Spec, delay time.Duration) {
	m.spare.mu.Lock()
	defer m.spare.mu.Unlock()
	if m.spare.closed || m.spare.pending || (m.spare.child != nil && !m.spare.child.Exited()) {
		return
	}
	m.spare.pending = true
	go m.startSpare(spec, delay)
}

// startSpare starts a spare as spec says, after delay.
func (m *Manager) startSpare(spec supervise.Spec, delay time.Duration) {
	if delay > 0 {
		time.Sleep(delay)
	}
	child, err := supervise.Spawn(context.Background(), spec)
	m.spare.mu.Lock()
	defer m.spare.mu.Unlock()
	m.spare.pending = false
	if err != nil {
		m.log.Debug("no spare webview process", "err", err)
		return
	}
	if m.spare.closed {
		child.Kill()
		child.Close()
		return
	}
	if old := m.spare.child; old != nil {
		old.Kill()
		old.Close()
	}
	m.spare.child, m.spare.spec = child, spec
}

// takeSpare hands over the spare if it was started as spec asks and still
// runs, and schedules the next one; nil when there is none to take. The
// caller owns the child from then on.
func (m *Manager) takeSpare(spec supervise.Spec) *supervise.Child {
	m.spare.mu.Lock()
	defer m.spare.mu.Unlock()
	if m.spare.closed {
		return nil
	}
	child := m.spare.child
	if child == nil || child.Exited() || !sameSpec(m.spare.spec, spec) {
		return nil
	}
	m.spare.child = nil
	if !m.spare.pending {
		m.spare.pending = true
		go m.startSpare(spec, spareRefillDelay)
	}
	return child
}

// closeSpare stops the spare and starts no more.
func (m *Manager) closeSpare() {
	m.spare.mu.Lock()
	defer m.spare.mu.Unlock()
	m.spare.closed = true
	if c := m.spare.child; c != nil {
		c.Kill()
		c.Close()
		m.spare.child = nil
	}
}

// SparePID returns the process id of the spare webview process, 0 when
// none is ready. For tests and diagnostics.
func (m *Manager) SparePID() int {
	m.spare.mu.Lock()
	defer m.spare.mu.Unlock()
	if m.spare.child == nil || m.spare.child.Exited() {
		return 0
	}
	return m.spare.child.PID
}
