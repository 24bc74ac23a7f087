// Package managerwin runs Warden's manager window: one webview process,
// started in manager mode (its first frame is TypeManagerInit), showing
// Warden's own page (package managerui) and nothing of any plugin.
//
// The page's requests arrive as TypeManagerCall frames on this process's
// connection and nowhere else: the core's plugin windows (package window)
// end any webview process that sends one, so a plugin page, frame or
// backend has no way to the operations a Handler offers. Each request is
// handed to the Handler and its result or error sent back.
//
// A Window costs one webview process (WebKit's web and network processes
// with it) and two goroutines. It is not restarted when it crashes: Wait
// returns the error and the application decides.
package managerwin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wardenhq/warden/host/ipc"
	"github.com/wardenhq/warden/host/supervise"
)

// Handler answers one request of the manager's page (its JSON, as the
// page sent it) in window w with a value sent back as JSON, or an error
// whose text the page shows the user. It runs on its own goroutine per
// request.
type Handler func(ctx context.Context, w *Window, req []byte) (any, error)

// Options say how to start the manager's webview process.
type Options struct {
	// Executable is the webview program (window.ProgramPath finds it);
	// Args are its arguments.
	Executable string
	Args       []string
	// Env is its environment (nil: this process's).
	Env []string
	// Stderr receives its stderr (nil: discarded).
	Stderr io.Writer
	// Title, Width and Height are the window's; zero values take "Warden",
	// 900 and 700.
	Title         string
	Width, Height int
	// X, Y place the window's top-left corner when Placed.
	Placed bool
	X, Y   int
	// Log receives what the window reports; nil: slog.Default().
	Log *slog.Logger
}

// Window is a running manager window.
type Window struct {
	child *supervise.Child
	h     Handler
	log   *slog.Logger
	ctx   context.Context
	stop  context.CancelFunc

	nextID atomic.Uint32
	mu     sync.Mutex
	evals  map[uint32]chan ipc.Frame

	done   chan struct{}
	err    error // why the window ended; nil when the user closed it
	closed bool  // under mu: Close was called
}

// ErrClosed is what Wait returns after Close.
var ErrClosed = errors.New("manager window closed")

// Open starts the manager window and serves its requests with h until it
// closes. The process runs with no network (it needs none), or with the
// host's where network namespaces are unavailable.
func Open(ctx context.Context, opts Options, h Handler) (*Window, error) {
	if opts.Title == "" {
		opts.Title = "Warden"
	}
	if opts.Width == 0 {
		opts.Width = 900
	}
	if opts.Height == 0 {
		opts.Height = 700
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	spec := supervise.Spec{Path: opts.Executable, Args: opts.Args, Env: opts.Env, Stderr: opts.Stderr, NoNetwork: true}
	child, err := supervise.Spawn(ctx, spec)
	if errors.Is(err, supervise.ErrNoNetworkNamespace) {
		opts.Log.Warn("manager window runs with the host's network: no network namespace", "err", err)
		spec.NoNetwork = false
		child, err = supervise.Spawn(ctx, spec)
	}
	if err != nil {
		return nil, fmt.Errorf("manager window: %w", err)
	}
	init, err := json.Marshal(ipc.ManagerInit{Title: opts.Title, Width: opts.Width, Height: opts.Height, Placed: opts.Placed, X: opts.X, Y: opts.Y})
	if err == nil {
		err = child.Conn.Send(ipc.Frame{Type: ipc.TypeManagerInit, Payload: init})
	}
	if err != nil {
		child.Kill()
		return nil, fmt.Errorf("manager window: %w", err)
	}
	rctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	w := &Window{child: child, h: h, log: opts.Log.With("window", "manager"), ctx: rctx, stop: stop,
		evals: map[uint32]chan ipc.Frame{}, done: make(chan struct{})}
	go w.read()
	return w, nil
}

// read serves the process's frames until its connection ends.
func (w *Window) read() {
	defer close(w.done)
	defer w.stop()
	for {
		f, err := w.child.Conn.Recv()
		if err != nil {
			w.child.Kill()
			w.child.Wait()
			w.mu.Lock()
			if w.err == nil && !w.closed {
				w.err = fmt.Errorf("manager window ended: %w", err)
			}
			w.mu.Unlock()
			return
		}
		switch f.Type {
		case ipc.TypeManagerCall:
			if len(f.Payload) > ipc.MaxManagerCall {
				w.reply(f.ID, nil, errors.New("request too large"))
				continue
			}
			go w.serve(f.ID, f.Payload)
		case ipc.TypeEvalResult, ipc.TypeDesktopResult:
			w.mu.Lock()
			ch := w.evals[f.ID]
			delete(w.evals, f.ID)
			w.mu.Unlock()
			if ch != nil {
				ch <- f
			}
		case ipc.TypeClosed:
			w.mu.Lock()
			w.closed = true // by the user: Wait returns nil
			w.mu.Unlock()
		case ipc.TypeCrashed:
			w.mu.Lock()
			w.err = fmt.Errorf("manager window's web process crashed: %s", f.Payload)
			w.mu.Unlock()
		default:
			w.log.Warn("unexpected frame from the manager window", "type", f.Type)
		}
	}
}

// serve answers one request.
func (w *Window) serve(id uint32, req []byte) {
	v, err := w.h(w.ctx, w, req)
	w.reply(id, v, err)
}

// reply sends the answer to request id.
func (w *Window) reply(id uint32, v any, err error) {
	var r ipc.ManagerReply
	if err != nil {
		r.Error = err.Error()
	} else if v != nil {
		b, merr := json.Marshal(v)
		if merr != nil {
			r.Error = "the answer is not JSON: " + merr.Error()
		} else {
			r.Value = b
		}
	}
	b, _ := json.Marshal(r)
	if err := w.child.Conn.Send(ipc.Frame{Type: ipc.TypeManagerReply, ID: id, Payload: b}); err != nil {
		w.log.Debug("reply to the manager window", "err", err)
	}
}

// ask sends f with a fresh id and waits for the frame answering it.
func (w *Window) ask(ctx context.Context, f ipc.Frame) (ipc.Frame, error) {
	f.ID = w.nextID.Add(1)
	ch := make(chan ipc.Frame, 1)
	w.mu.Lock()
	w.evals[f.ID] = ch
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		delete(w.evals, f.ID)
		w.mu.Unlock()
	}()
	if err := w.child.Conn.Send(f); err != nil {
		return ipc.Frame{}, err
	}
	select {
	case r := <-ch:
		return r, nil
	case <-w.done:
		return ipc.Frame{}, errors.New("the window closed")
	case <-ctx.Done():
		return ipc.Frame{}, ctx.Err()
	}
}

// PickFile shows a file dialog in the manager window, listing files that
// match patterns, and returns the path the user picked ("" when they
// cancelled). It returns when the user answers or ctx ends.
func (w *Window) PickFile(ctx context.Context, title string, patterns []string) (string, error) {
	b, err := json.Marshal(ipc.Desktop{Op: ipc.DesktopOpen, Title: title, Filters: []ipc.FileFilter{{Name: title, Patterns: patterns}}})
	if err != nil {
		return "", err
	}
	f, err := w.ask(ctx, ipc.Frame{Type: ipc.TypeDesktop, Payload: b})
	if err != nil {
		return "", fmt.Errorf("file dialog: %w", err)
	}
	var r ipc.DesktopResult
	if err := json.Unmarshal(f.Payload, &r); err != nil {
		return "", fmt.Errorf("file dialog: %w", err)
	}
	if r.Code != "" {
		return "", fmt.Errorf("file dialog: %s", r.Message)
	}
	return r.Path, nil
}

// Present raises the manager window and gives it the focus, as far as the
// window manager allows: it is about to ask the user something they
// started elsewhere (a permission a plugin asks for, a bundle opened from
// the file manager).
func (w *Window) Present(ctx context.Context) error {
	b, err := json.Marshal(ipc.Desktop{Op: ipc.DesktopPresent})
	if err != nil {
		return err
	}
	if _, err := w.ask(ctx, ipc.Frame{Type: ipc.TypeDesktop, Payload: b}); err != nil {
		return fmt.Errorf("raise the manager: %w", err)
	}
	return nil
}

// Eval runs js (an async function body) in the manager's page and decodes
// its result into v: for tests and screenshots, as for plugin windows, and
// for the core to hand the page what a user asked for elsewhere (a bundle
// opened from the file manager).
func (w *Window) Eval(ctx context.Context, js string, v any) error {
	f, err := w.ask(ctx, ipc.Frame{Type: ipc.TypeEval, Payload: []byte(js)})
	if err != nil {
		return fmt.Errorf("eval in the manager: %w", err)
	}
	var r struct {
		OK    bool            `json:"ok"`
		Value json.RawMessage `json:"value"`
		Error string          `json:"error"`
	}
	if err := json.Unmarshal(f.Payload, &r); err != nil {
		return fmt.Errorf("eval in the manager: %w", err)
	}
	if !r.OK {
		return fmt.Errorf("eval in the manager: %s", r.Error)
	}
	if v == nil {
		return nil
	}
	return json.Unmarshal(r.Value, v)
}

// Wait waits until the window ends: nil when the user closed it,
// ErrClosed after Close, otherwise why it ended.
func (w *Window) Wait(ctx context.Context) error {
	select {
	case <-w.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil && w.closed {
		return nil
	}
	return w.err
}

// Close asks the window to close and waits for its process to end.
func (w *Window) Close() error {
	w.mu.Lock()
	w.closed = true
	w.err = ErrClosed
	w.mu.Unlock()
	w.child.Conn.Send(ipc.Frame{Type: ipc.TypeShutdown})
	select {
	case <-w.done:
	case <-time.After(5 * time.Second):
		w.child.Kill() // a process that does not answer is ended
		<-w.done
	}
	return nil
}

// PID returns the webview process's id.
func (w *Window) PID() int { return w.child.PID }
