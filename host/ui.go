package host

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wardenhq/warden/host/ipc"
	"github.com/wardenhq/warden/host/supervise"
	"github.com/wardenhq/warden/host/webview/webext"
	"github.com/wardenhq/warden/isolation"
)

// UIOptions say how plugin windows are run.
type UIOptions struct {
	// Executable is the binary re-executed as the webview process, with
	// Args (default: this executable, "webview").
	Executable string
	Args       []string
	// Env is the webview process's environment (default: this process's).
	Env []string
	// IsolationJS are extra scripts run in every isolation frame after the
	// default isolation app: an admin's isolation hook.
	IsolationJS []string
	// NoSandbox turns WebKit's web-process sandbox off (it is on by default).
	NoSandbox bool
	// Debug forwards console messages to the log and enables the inspector.
	Debug bool
	// Ephemeral keeps no website data (localStorage, caches) on disk.
	Ephemeral bool
	// Stderr receives the webview processes' own output (default: discarded).
	Stderr io.Writer
	// Policy is the restart policy; zero fields take supervise's defaults.
	Policy supervise.Policy
	// X and Y, when either is non-zero, place the window's top-left corner.
	X, Y int
	// NoChannel keeps the web process extension's direct channel to the
	// core closed: every envelope is relayed by the webview process.
	NoChannel bool
	// RequireNetworkIsolation refuses to start a webview process that
	// cannot be given an empty network namespace (ErrNoNetworkIsolation);
	// without it such a process starts with the host's network, with a
	// warning in the log and the audit.
	RequireNetworkIsolation bool
	// SharedNetwork runs the webview process in the host's network
	// namespace: only for diagnosis and tests (see NetworkIsolation).
	SharedNetwork bool
	// WebKitFeatures turns WebKit features on or off by identifier after
	// Warden's defaults (webview.NetworkFeatures are off). Leave it nil:
	// tests use it to show what the network namespace holds alone.
	WebKitFeatures map[string]bool
}

// UI is one plugin's window, run in its own supervised webview process.
// A crash of that process starts a new launch (new key, new launch id).
type UI struct {
	h    *Host
	p    *Plugin
	opts UIOptions

	mu     sync.Mutex
	child  *supervise.Child
	launch *Launch
	next   *Launch       // handed to the webview process for its next page
	ready  chan struct{} // closed when the current page loaded
	evals  map[uint32]chan ipc.Frame
	nextID atomic.Uint32

	direct, relayed atomic.Uint64    // envelopes received by each route
	network         NetworkIsolation // of the current child; under mu
	netWarn         sync.Once        // warns once of a window with network access
	requireNet      atomic.Bool      // opts.RequireNetworkIsolation, changed live
}

// Invokes reports how many envelopes the window's pages have sent straight
// to the core through the web process extension, and how many the webview
// process relayed (no extension, or UIOptions.NoChannel).
func (u *UI) Invokes() (direct, relayed uint64) {
	return u.direct.Load(), u.relayed.Load()
}

// StartUI opens p's window in a new webview process under the host's
// supervisor. It returns once the process is started; WaitReady waits for
// the page.
func (h *Host) StartUI(ctx context.Context, p *Plugin, opts UIOptions) (*UI, error) {
	if p.manifest.UI == nil {
		return nil, fmt.Errorf("open %s: the plugin has no ui", p.ID())
	}
	if opts.Executable == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", p.ID(), err)
		}
		opts.Executable = exe
	}
	if opts.Args == nil {
		opts.Args = []string{"webview"}
	}
	sup, err := h.supervisor(opts.Policy)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", p.ID(), err)
	}
	if !opts.NoChannel {
		if _, err := webext.Dir(opts.Executable); err != nil {
			h.extMissing.Do(func() {
				h.log.Warn("invokes will be relayed by each webview process, about twice as slow", "err", err)
			})
		}
	}
	u := &UI{h: h, p: p, opts: opts, ready: make(chan struct{}), evals: map[uint32]chan ipc.Frame{}}
	u.requireNet.Store(opts.RequireNetworkIsolation)
	err = sup.Add(ctx, supervise.Unit{Name: p.ID(), Start: u.start, Serve: u.serve})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", p.ID(), err)
	}
	h.mu.Lock()
	h.uis[p.ID()] = u
	h.mu.Unlock()
	return u, nil
}

// supervisor returns the host's supervisor, creating it on first use.
func (h *Host) supervisor(p supervise.Policy) (*supervise.Supervisor, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrClosed
	}
	if h.sup == nil {
		h.sup = supervise.New(p, h.log)
		h.uis = map[string]*UI{}
	}
	return h.sup, nil
}

// StopUI closes the window of plugin id and stops its webview process.
func (h *Host) StopUI(ctx context.Context, id string) error {
	h.mu.Lock()
	sup := h.sup
	delete(h.uis, id)
	h.mu.Unlock()
	if sup == nil {
		return nil
	}
	return sup.Stop(ctx, id)
}

// UIState reports the supervision state of plugin id's window.
func (h *Host) UIState(id string) supervise.State {
	h.mu.RLock()
	sup := h.sup
	h.mu.RUnlock()
	if sup == nil {
		return supervise.State{}
	}
	return sup.State(id)
}

// start begins a new launch: a fresh key, a new process, the init frame.
func (u *UI) start(ctx context.Context) (*supervise.Child, error) {
	l, key, err := u.p.Launch()
	if err != nil {
		return nil, err
	}
	m := u.p.manifest
	dir, err := filepath.Abs(u.p.dir)
	if err != nil {
		return nil, err
	}
	init := ipc.Init{
		PluginID: m.ID, LaunchID: l.ID(), Key: key[:], Dir: dir, Entry: m.UI.Entry,
		Title: m.Name, Width: 800, Height: 600, CSP: m.CSP(),
		IsolationJS: u.opts.IsolationJS, Sandbox: !u.opts.NoSandbox, Debug: u.opts.Debug,
		Channel: !u.opts.NoChannel, Features: u.opts.WebKitFeatures, MaxEnvelope: u.h.limits.MaxEnvelope,
	}
	if w := m.UI.Window; w != nil {
		if w.Title != "" {
			init.Title = w.Title
		}
		if w.Width > 0 {
			init.Width = w.Width
		}
		if w.Height > 0 {
			init.Height = w.Height
		}
	}
	if u.opts.X != 0 || u.opts.Y != 0 {
		init.Placed, init.X, init.Y = true, u.opts.X, u.opts.Y
	}
	if !u.opts.Ephemeral {
		init.DataDir = filepath.Join(u.h.opts.Profile, "webdata", m.ID)
	}
	payload, err := json.Marshal(init)
	if err != nil {
		return nil, err
	}
	spec := supervise.Spec{Path: u.opts.Executable, Args: u.opts.Args, Env: u.opts.Env, Stderr: u.opts.Stderr}
	if init.Channel {
		spec.Extra = 1
	}
	child, err := u.spawn(ctx, spec)
	if err != nil {
		return nil, err
	}
	if err := child.Conn.Send(ipc.Frame{Type: ipc.TypeInit, Payload: payload}); err != nil {
		child.Kill()
		child.Close()
		return nil, fmt.Errorf("send init: %w", err)
	}
	u.mu.Lock()
	u.child = child
	u.ready = make(chan struct{})
	u.mu.Unlock()
	u.use(child, l)
	if err := u.handOverNext(child); err != nil {
		child.Kill()
		child.Close()
		return nil, err
	}
	return child, nil
}

// use makes l the launch of child's current page: its events go to child.
func (u *UI) use(child *supervise.Child, l *Launch) {
	l.OnEvent(func(e Event) {
		b, err := json.Marshal(e)
		if err == nil {
			child.Conn.Send(ipc.Frame{Type: ipc.TypeEvent, Payload: b})
		}
	})
	u.mu.Lock()
	u.launch = l
	u.mu.Unlock()
}

// handOverNext gives the webview process the launch its next page will use
// (a reload or a navigation inside the plugin), ahead of time, so a new
// page never waits for the core and never shares a key with the last one.
func (u *UI) handOverNext(child *supervise.Child) error {
	l, key, err := u.p.Launch()
	if err != nil {
		return err
	}
	b, err := json.Marshal(ipc.NextLaunch{LaunchID: l.ID(), Key: key[:]})
	if err != nil {
		return err
	}
	u.mu.Lock()
	u.next = l
	u.mu.Unlock()
	if err := child.Conn.Send(ipc.Frame{Type: ipc.TypeNextLaunch, Payload: b}); err != nil {
		return fmt.Errorf("send next launch: %w", err)
	}
	return nil
}

// serve runs the protocol with one child until it ends. Envelopes are
// admitted in arrival order (the seq check depends on it) and run
// concurrently, so a slow backend call does not hold up the next request.
//
// Envelopes come on the child's own connection (relayed by the webview
// process) or, when the web process extension took it, on the direct
// channel (the child's fd 4), which carries nothing else. A page uses one
// of the two for its whole life, but the two are read independently, so an
// envelope is opened with the launch it names among the current page's,
// the previous page's (sent before a switch the other connection reported
// first) and the next page's (which becomes current once an envelope opens
// with it, whichever connection says so first).
//
// The goroutine that reads an invoke also runs it: after admitting the
// envelope it hands reading to a fresh goroutine (leader/follower), so the
// request starts at once instead of waiting for a new goroutine to be
// scheduled, which on a loaded machine costs a thread wake-up per invoke.
// Exactly one goroutine reads each connection at a time; the handover is
// the go statement.
func (u *UI) serve(ctx context.Context, c *supervise.Child) error {
	u.mu.Lock()
	l, ready := u.launch, u.ready
	u.mu.Unlock()
	s := &session{u: u, c: c, ctx: ctx, l: l, ready: ready, done: make(chan error, 2)}
	s.readyOnce = sync.OnceFunc(func() { close(ready) })
	// An envelope over the limit is refused from its frame's header, never
	// read whole (see refuseFrame).
	c.Conn.SetTypeLimit(ipc.TypeInvoke, u.h.limits.MaxEnvelope)
	// The page's console messages are cut to maxLogMessage anyway.
	c.Conn.SetTypeLimit(ipc.TypeLog, maxConsoleFrame)
	s.wg.Go(func() { s.read(s.next) })
	if len(c.Extra) > 0 {
		direct := c.Extra[0]
		direct.SetTypeLimit(ipc.TypeInvoke, u.h.limits.MaxEnvelope)
		s.wg.Go(func() { s.read(func() (func(), error) { return s.nextDirect(direct) }) })
	}
	err := <-s.done
	// Unblock the other reader (it may report to done, which has room).
	c.Close()
	s.wg.Wait()
	return err
}

// session is one child's protocol state.
type session struct {
	u    *UI
	c    *supervise.Child
	ctx  context.Context
	done chan error // the readers' errors (one per connection at most); the first ends the session
	wg   sync.WaitGroup

	mu        sync.Mutex // guards the fields below
	l         *Launch
	prev      *Launch // the page before l, until the next switch
	ready     chan struct{}
	readyOnce func()
}

// read reads frames of one connection with next until one must be run (an
// admitted invoke: it hands reading on and runs it) or the protocol ends
// (it reports to done).
func (s *session) read(next func() (func(), error)) {
	for {
		run, err := next()
		if errors.Is(err, errDirectClosed) {
			return
		}
		if err != nil {
			s.done <- err
			return
		}
		if run != nil {
			s.wg.Go(func() { s.read(next) })
			run()
			return
		}
	}
}

// maxConsoleFrame bounds a console message frame from the webview
// process; a larger one is dropped unread.
const maxConsoleFrame = 64 << 10

// replyTimeout bounds sending one reply on the direct channel: a web
// process that stops reading loses the channel (its page's later invokes
// fail) rather than holding core goroutines. A variable for tests.
var replyTimeout = 30 * time.Second

// invoke admits one envelope and returns the work that runs it and sends
// the reply on conn, or sends a refusal at once and returns nil.
func (s *session) invoke(conn *ipc.Conn, direct bool, id uint32, envelope []byte) func() {
	l, isNext := s.launchFor(envelope)
	a, rep, ok := s.u.h.Admit(l, envelope)
	if ok && isNext {
		// The envelope opened with the next page's key: that page has
		// committed.
		if err := s.relaunched(l.ID()); err != nil {
			s.u.h.log.Warn("switch launch", "plugin", s.u.p.ID(), "err", err)
		}
	}
	send := func(rep Reply) { s.reply(conn, direct, id, rep) }
	if !ok {
		send(rep)
		return nil
	}
	return func() { a.RunThen(s.ctx, send) }
}

// reply sends rep as the reply to frame id on conn. Every reply fits in a
// frame (finish bounds results and messages), so a send fails only when
// the peer is gone or, on the direct channel, does not read.
func (s *session) reply(conn *ipc.Conn, direct bool, id uint32, rep Reply) {
	f := ipc.Frame{Type: ipc.TypeReply, ID: id, Payload: rep.AppendJSON(nil)}
	if !direct {
		if err := conn.Send(f); err != nil && !errors.Is(err, net.ErrClosed) {
			s.u.h.log.Warn("send reply", "plugin", s.u.p.ID(), "err", err)
		}
		return
	}
	if err := conn.SendWithin(f, replyTimeout); err != nil && !errors.Is(err, net.ErrClosed) {
		s.u.h.log.Warn("closing the direct channel: the web process does not take its replies", "plugin", s.u.p.ID(), "err", err)
		conn.Close()
	}
}

// refuseFrame answers an invoke frame that Recv refused from its header
// (tl) with a too_large reply, audited and counted against the plugin's
// rate like any envelope. It reports whether the connection can go on:
// a frame over the connection's maximum is still unread, so the stream is
// lost.
func (s *session) refuseFrame(conn *ipc.Conn, direct bool, tl *ipc.TooLargeError) bool {
	s.mu.Lock()
	l := s.l
	s.mu.Unlock()
	err := fmt.Errorf("%w: %d bytes, limit %d", isolation.ErrTooLarge, tl.Size, s.u.h.limits.MaxEnvelope)
	s.reply(conn, direct, tl.ID, s.u.h.refuse(l, err))
	return tl.Skipped
}

// launchFor picks the launch to open envelope with (see serve); isNext
// says it is the next page's, not yet current.
func (s *session) launchFor(envelope []byte) (l *Launch, isNext bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := isolation.LaunchOf(envelope)
	switch {
	case !ok || id == s.l.ID():
		return s.l, false
	case s.prev != nil && id == s.prev.ID():
		return s.prev, false
	}
	s.u.mu.Lock()
	next := s.u.next
	s.u.mu.Unlock()
	if next != nil && id == next.ID() {
		return next, true
	}
	return s.l, false
}

// nextDirect reads one frame from the direct channel. Only invokes are
// accepted: anything else, or a malformed frame, ends the session as a
// protocol error. Other read errors (the web process went away) only end
// this reader: the child's own connection reports what happened.
func (s *session) nextDirect(conn *ipc.Conn) (run func(), err error) {
	f, err := conn.Recv()
	var tl *ipc.TooLargeError
	if errors.As(err, &tl) && tl.Type == ipc.TypeInvoke {
		s.u.direct.Add(1)
		if s.refuseFrame(conn, true, tl) {
			return nil, nil
		}
		// The rest of the frame is unread: the channel is lost, the
		// window's own connection goes on.
		s.u.h.log.Warn("closing the direct channel", "plugin", s.u.p.ID(), "err", err)
		conn.Close()
		return nil, errDirectClosed
	}
	if err != nil {
		if errors.Is(err, ipc.ErrFrameTooLarge) || errors.Is(err, ipc.ErrMalformed) {
			return nil, fmt.Errorf("direct channel of %s: %w", s.u.p.ID(), err)
		}
		return nil, errDirectClosed
	}
	if f.Type != ipc.TypeInvoke {
		return nil, fmt.Errorf("direct channel of %s: unexpected %s frame", s.u.p.ID(), f.Type)
	}
	s.u.direct.Add(1)
	return s.invoke(conn, true, f.ID, f.Payload), nil
}

// errDirectClosed ends the direct channel's reader without ending the
// session.
var errDirectClosed = errors.New("direct channel closed")

// relaunched makes the launch handed over for the next page, whose id is
// id, the current one, and hands over another. It does nothing when id is
// already current.
func (s *session) relaunched(id string) error {
	u, c := s.u, s.c
	s.mu.Lock()
	if s.l.ID() == id {
		s.mu.Unlock()
		return nil
	}
	u.mu.Lock()
	next := u.next
	ok := next != nil && next.ID() == id
	if ok {
		u.next = nil
		s.ready = make(chan struct{})
		u.ready = s.ready
	}
	u.mu.Unlock()
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("webview process of %s switched to an unknown launch", u.p.ID())
	}
	ready := s.ready
	s.readyOnce = sync.OnceFunc(func() { close(ready) })
	s.prev, s.l = s.l, next
	s.mu.Unlock()
	// Outside s.mu: handing over writes to the child's connection, which
	// must not hold up the readers.
	u.use(c, next)
	return u.handOverNext(c)
}

// next reads and handles one frame of the child's own connection. For an
// admitted invoke it returns the work to run instead of running it.
func (s *session) next() (run func(), err error) {
	u, c := s.u, s.c
	f, err := c.Conn.Recv()
	var tl *ipc.TooLargeError
	if errors.As(err, &tl) && tl.Type == ipc.TypeInvoke {
		u.relayed.Add(1)
		if s.refuseFrame(c.Conn, false, tl) {
			return nil, nil
		}
	}
	if errors.As(err, &tl) && tl.Type == ipc.TypeLog && tl.Skipped {
		u.h.log.Warn("plugin console message dropped", "plugin", u.p.ID(), "err", err)
		return nil, nil
	}
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("webview process of %s ended: %w", u.p.ID(), err)
		}
		return nil, fmt.Errorf("webview process of %s: %w", u.p.ID(), err)
	}
	switch f.Type {
	case ipc.TypeInvoke:
		u.relayed.Add(1)
		return s.invoke(c.Conn, false, f.ID, f.Payload), nil
	case ipc.TypeReady:
		// A page that finished loading just before the next one
		// committed may report after the direct channel switched
		// launches: only the current page's report counts.
		var r struct {
			Launch string `json:"launch"`
		}
		json.Unmarshal(f.Payload, &r)
		s.mu.Lock()
		if r.Launch == "" || r.Launch == s.l.ID() {
			s.readyOnce()
		}
		s.mu.Unlock()
	case ipc.TypeRelaunched:
		// A new page committed: from here on its envelopes are opened
		// with the launch handed over for it (frames on this connection
		// arrive in order, so none of the new page's relayed envelopes
		// came before this).
		if err := s.relaunched(string(f.Payload)); err != nil {
			return nil, err
		}
	case ipc.TypeEvalResult:
		u.mu.Lock()
		ch := u.evals[f.ID]
		delete(u.evals, f.ID)
		u.mu.Unlock()
		if ch != nil {
			ch <- f
		}
	case ipc.TypeLog:
		var m struct{ Level, Message string }
		if json.Unmarshal(f.Payload, &m) == nil {
			u.h.log.Info("plugin console", "plugin", u.p.ID(), "level", m.Level, "message", clip(m.Message, maxLogMessage))
		}
	case ipc.TypeClosed:
		return nil, supervise.ErrClosed
	case ipc.TypeCrashed:
		return nil, fmt.Errorf("web process of %s crashed: %s", u.p.ID(), f.Payload)
	default:
		// A webview process is trusted code, but it hosts untrusted
		// JavaScript: anything unexpected ends this launch.
		return nil, fmt.Errorf("webview process of %s sent unexpected %s frame", u.p.ID(), f.Type)
	}
	return nil, nil
}

// WaitReady waits until the current launch's page has loaded.
func (u *UI) WaitReady(ctx context.Context) error {
	u.mu.Lock()
	ready := u.ready
	u.mu.Unlock()
	select {
	case <-ready:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for %s page: %w", u.p.ID(), ctx.Err())
	}
}

// Eval runs js in the plugin page's own world (awaiting a returned promise)
// and returns its JSON result. It is for the host's own use (tests, the
// demo, benchmarks), never reachable from plugins.
func (u *UI) Eval(ctx context.Context, js string) (json.RawMessage, error) {
	id := u.nextID.Add(1)
	ch := make(chan ipc.Frame, 1)
	u.mu.Lock()
	child := u.child
	u.evals[id] = ch
	u.mu.Unlock()
	defer func() {
		u.mu.Lock()
		delete(u.evals, id)
		u.mu.Unlock()
	}()
	if child == nil {
		return nil, fmt.Errorf("eval in %s: no window", u.p.ID())
	}
	if err := child.Conn.Send(ipc.Frame{Type: ipc.TypeEval, ID: id, Payload: []byte(js)}); err != nil {
		return nil, fmt.Errorf("eval in %s: %w", u.p.ID(), err)
	}
	select {
	case f := <-ch:
		var r struct {
			OK    bool            `json:"ok"`
			Value json.RawMessage `json:"value"`
			Error string          `json:"error"`
		}
		if err := json.Unmarshal(f.Payload, &r); err != nil {
			return nil, fmt.Errorf("eval in %s: %w", u.p.ID(), err)
		}
		if !r.OK {
			return nil, fmt.Errorf("eval in %s: %s", u.p.ID(), r.Error)
		}
		return r.Value, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("eval in %s: %w", u.p.ID(), ctx.Err())
	}
}

// PID returns the current webview process id, or 0.
func (u *UI) PID() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.child == nil {
		return 0
	}
	return u.child.PID
}

// WaitUI blocks until plugin id's window is stopped for good (closed by
// the user, stopped, or crashed too often) or ctx ends, and returns why.
func (h *Host) WaitUI(ctx context.Context, id string) error {
	h.mu.RLock()
	sup := h.sup
	h.mu.RUnlock()
	if sup == nil {
		return nil
	}
	st, err := sup.Wait(ctx, id)
	if err != nil {
		return err
	}
	if st.Err != nil && !errors.Is(st.Err, supervise.ErrClosed) && !errors.Is(st.Err, supervise.ErrShutdown) {
		return fmt.Errorf("%s: %s", id, st.Reason)
	}
	return nil
}
