package window

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/host/ipc"
	"github.com/wardenhq/warden/host/supervise"
	"github.com/wardenhq/warden/isolation"
)

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
// envelope it hands reading to another goroutine (leader/follower, see
// readers), so the request starts at once instead of waiting for a
// goroutine to be scheduled, which on a loaded machine costs a thread
// wake-up per invoke. Exactly one goroutine reads each connection at a
// time.
func (w *Window) serve(ctx context.Context, c *supervise.Child) error {
	w.mu.Lock()
	l, ready := w.launch, w.ready
	w.mu.Unlock()
	s := &link{w: w, core: w.core, log: w.log, id: w.plugin.ID(), child: c, ctx: ctx, cur: l, ready: ready, done: make(chan error, 2), quit: make(chan struct{})}
	s.readyOnce = sync.OnceFunc(func() { close(ready) })
	// An envelope over the limit is refused from its frame's header, never
	// read whole (see refuseFrame).
	c.Conn.SetTypeLimit(ipc.TypeInvoke, w.core.Limits().MaxEnvelope)
	// The page's console messages are cut to maxLogMessage anyway.
	c.Conn.SetTypeLimit(ipc.TypeLog, maxConsoleFrame)
	s.startReading(s.next)
	if len(c.Extra) > 0 {
		direct := c.Extra[0]
		direct.SetTypeLimit(ipc.TypeInvoke, w.core.Limits().MaxEnvelope)
		s.startReading(func() (func(), error) { return s.nextDirect(direct) })
	}
	err := <-s.done
	// Unblock the other reader (it may report to done, which has room).
	c.Close()
	close(s.quit)
	s.wg.Wait()
	w.dropWaiting()
	return err
}

// link is the protocol with one webview process, from its start to its
// end: a crash or a restart makes a new one.
type link struct {
	w     *Window
	core  *host.Host
	log   *slog.Logger
	id    string // the plugin's
	child *supervise.Child
	ctx   context.Context
	done  chan error    // the readers' errors (one per connection at most); the first ends the link
	quit  chan struct{} // closed when the link has ended: waiting readers return
	wg    sync.WaitGroup

	mu        sync.Mutex // guards the fields below
	cur       *host.Launch
	prev      *host.Launch // the page before cur, until the next switch
	ready     chan struct{}
	readyOnce func()
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
func (s *link) invoke(conn *ipc.Conn, direct bool, id uint32, envelope []byte) func() {
	l, isNext := s.launchFor(envelope)
	a, rep, ok := s.core.Admit(l, envelope)
	if ok && isNext {
		// The envelope opened with the next page's key: that page has
		// committed.
		if err := s.relaunched(l.ID()); err != nil {
			s.log.Warn("switch launch", "plugin", s.id, "err", err)
		}
	}
	send := func(rep host.Reply) { s.reply(conn, direct, id, rep) }
	if !ok {
		send(rep)
		return nil
	}
	return func() { a.RunThen(s.ctx, send) }
}

// reply sends rep as the reply to frame id on conn. Every reply fits in a
// frame (the core's answer bounds results and messages), so a send fails only when
// the peer is gone or, on the direct channel, does not read.
func (s *link) reply(conn *ipc.Conn, direct bool, id uint32, rep host.Reply) {
	f := ipc.Frame{Type: ipc.TypeReply, ID: id, Payload: rep.AppendJSON(nil)}
	if !direct {
		if err := conn.Send(f); err != nil && !errors.Is(err, net.ErrClosed) {
			s.log.Warn("send reply", "plugin", s.id, "err", err)
		}
		return
	}
	if err := conn.SendWithin(f, replyTimeout); err != nil && !errors.Is(err, net.ErrClosed) {
		s.log.Warn("closing the direct channel: the web process does not take its replies", "plugin", s.id, "err", err)
		conn.Close()
	}
}

// refuseFrame answers an invoke frame that Recv refused from its header
// (tl) with a too_large reply, audited and counted against the plugin's
// rate like any envelope. It reports whether the connection can go on:
// a frame over the connection's maximum is still unread, so the stream is
// lost.
func (s *link) refuseFrame(conn *ipc.Conn, direct bool, tl *ipc.TooLargeError) bool {
	s.mu.Lock()
	l := s.cur
	s.mu.Unlock()
	err := fmt.Errorf("%w: %d bytes, limit %d", isolation.ErrTooLarge, tl.Size, s.core.Limits().MaxEnvelope)
	s.reply(conn, direct, tl.ID, s.core.Refuse(l, err))
	return tl.Skipped
}

// launchFor picks the launch to open envelope with (see serve); isNext
// says it is the next page's, not yet current.
func (s *link) launchFor(envelope []byte) (l *host.Launch, isNext bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := isolation.LaunchOf(envelope)
	switch {
	case !ok || id == s.cur.ID():
		return s.cur, false
	case s.prev != nil && id == s.prev.ID():
		return s.prev, false
	}
	s.w.mu.Lock()
	next := s.w.next
	s.w.mu.Unlock()
	if next != nil && id == next.ID() {
		return next, true
	}
	return s.cur, false
}

// nextDirect reads one frame from the direct channel. Only invokes are
// accepted: anything else, or a malformed frame, ends the link as a
// protocol error. Other read errors (the web process went away) only end
// this reader: the child's own connection reports what happened.
func (s *link) nextDirect(conn *ipc.Conn) (run func(), err error) {
	f, err := conn.Recv()
	var tl *ipc.TooLargeError
	if errors.As(err, &tl) && tl.Type == ipc.TypeInvoke {
		s.w.direct.Add(1)
		if s.refuseFrame(conn, true, tl) {
			return nil, nil
		}
		// The rest of the frame is unread: the channel is lost, the
		// window's own connection goes on.
		s.log.Warn("closing the direct channel", "plugin", s.id, "err", err)
		conn.Close()
		return nil, errDirectClosed
	}
	if err != nil {
		if errors.Is(err, ipc.ErrFrameTooLarge) || errors.Is(err, ipc.ErrMalformed) {
			return nil, fmt.Errorf("direct channel of %s: %w", s.id, err)
		}
		return nil, errDirectClosed
	}
	if f.Type != ipc.TypeInvoke {
		return nil, fmt.Errorf("direct channel of %s: unexpected %s frame", s.id, f.Type)
	}
	s.w.direct.Add(1)
	return s.invoke(conn, true, f.ID, f.Payload), nil
}

// errDirectClosed ends the direct channel's reader without ending the
// session.
var errDirectClosed = errors.New("direct channel closed")

// relaunched makes the launch handed over for the next page, whose id is
// id, the current one, and hands over another. It does nothing when id is
// already current.
func (s *link) relaunched(id string) error {
	w, c := s.w, s.child
	s.mu.Lock()
	if s.cur.ID() == id {
		s.mu.Unlock()
		return nil
	}
	w.mu.Lock()
	next := w.next
	ok := next != nil && next.ID() == id
	if ok {
		w.next = nil
		s.ready = make(chan struct{})
		w.ready = s.ready
	}
	w.mu.Unlock()
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("webview process of %s switched to an unknown launch", s.id)
	}
	ready := s.ready
	s.readyOnce = sync.OnceFunc(func() { close(ready) })
	s.prev, s.cur = s.cur, next
	s.mu.Unlock()
	// Outside s.mu: handing over writes to the child's connection, which
	// must not hold up the readers.
	w.use(c, next)
	return w.handOverNext(c)
}

// next reads and handles one frame of the child's own connection. For an
// admitted invoke it returns the work to run instead of running it.
func (s *link) next() (run func(), err error) {
	w, c := s.w, s.child
	f, err := c.Conn.Recv()
	var tl *ipc.TooLargeError
	if errors.As(err, &tl) && tl.Type == ipc.TypeInvoke {
		w.relayed.Add(1)
		if s.refuseFrame(c.Conn, false, tl) {
			return nil, nil
		}
	}
	if errors.As(err, &tl) && tl.Type == ipc.TypeLog && tl.Skipped {
		s.log.Warn("plugin console message dropped", "plugin", s.id, "err", err)
		return nil, nil
	}
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("webview process of %s ended: %w", s.id, err)
		}
		return nil, fmt.Errorf("webview process of %s: %w", s.id, err)
	}
	switch f.Type {
	case ipc.TypeInvoke:
		w.relayed.Add(1)
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
		if r.Launch == "" || r.Launch == s.cur.ID() {
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
	case ipc.TypeEvalResult, ipc.TypeDesktopResult:
		w.answer(f)
	case ipc.TypeLog:
		var m struct{ Level, Message string }
		if json.Unmarshal(f.Payload, &m) == nil {
			if sink := s.w.opts.Console; sink != nil {
				sink(m.Level, m.Message)
			} else {
				s.w.plugin.LogConsole(m.Level, m.Message)
			}
		}
	case ipc.TypeClosed:
		return nil, supervise.ErrClosed
	case ipc.TypeCrashed:
		return nil, fmt.Errorf("web process of %s crashed: %s", s.id, f.Payload)
	default:
		// A webview process is trusted code, but it hosts untrusted
		// JavaScript: anything unexpected ends this launch.
		return nil, fmt.Errorf("webview process of %s sent unexpected %s frame", s.id, f.Type)
	}
	return nil, nil
}
