package window

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/host/ipc"
	"github.com/wardenhq/warden/host/supervise"
)

// clipboardTimeout bounds one clipboard request: another application
// owning the clipboard may be slow to hand its text over, never forever.
// File dialogs wait for the user instead, as long as the request lives.
const clipboardTimeout = 10 * time.Second

// errWindowGone fails desktop requests whose webview process ended before
// it answered.
var errWindowGone = errors.New("the window closed before it answered")

// desktop is the host.Desktop of one launch shown by one webview process:
// each request is a TypeDesktop frame to that process, naming the launch,
// answered by a TypeDesktopResult frame. The process refuses a request
// for a page it no longer shows, and decides the user-gesture question
// from its own input events.
type desktop struct {
	w      *Window
	child  *supervise.Child
	launch string
}

// WriteClipboard puts text on the clipboard.
func (d *desktop) WriteClipboard(ctx context.Context, text string) error {
	ctx, cancel := context.WithTimeout(ctx, clipboardTimeout)
	defer cancel()
	_, err := d.ask(ctx, ipc.Desktop{Op: ipc.DesktopClipboardWrite, Text: text})
	return err
}

// ReadClipboard returns the clipboard's text, within a user gesture.
func (d *desktop) ReadClipboard(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, clipboardTimeout)
	defer cancel()
	r, err := d.ask(ctx, ipc.Desktop{Op: ipc.DesktopClipboardRead})
	return r.Text, err
}

// PickFile shows a file dialog and returns the picked path, "" when the
// user cancelled.
func (d *desktop) PickFile(ctx context.Context, fd host.FileDialog) (string, error) {
	req := ipc.Desktop{Op: ipc.DesktopOpen, Title: fd.Title, Folder: fd.Folder}
	if fd.Save {
		req.Op, req.Name = ipc.DesktopSave, fd.Name
	}
	for _, f := range fd.Filters {
		req.Filters = append(req.Filters, ipc.FileFilter{Name: f.Name, Patterns: f.Patterns})
	}
	r, err := d.ask(ctx, req)
	return r.Path, err
}

// AskConsent shows a consent dialog and returns the user's answer.
func (d *desktop) AskConsent(ctx context.Context, p host.ConsentPrompt) (host.ConsentAnswer, error) {
	r, err := d.ask(ctx, ipc.Desktop{Op: ipc.DesktopConsent, Title: p.Title, Text: p.Text, Detail: p.Detail})
	if err != nil {
		return host.ConsentDismissed, err
	}
	switch r.Answer {
	case ipc.ConsentAllow:
		return host.ConsentAllowed, nil
	case ipc.ConsentDeny:
		return host.ConsentDenied, nil
	}
	return host.ConsentDismissed, nil
}

// TakeGesture uses up the window's user gesture, or fails with
// host.ErrNoUserGesture.
func (d *desktop) TakeGesture(ctx context.Context) error {
	_, err := d.ask(ctx, ipc.Desktop{Op: ipc.DesktopGesture})
	return err
}

// ask sends req to the webview process and waits for its answer.
func (d *desktop) ask(ctx context.Context, req ipc.Desktop) (ipc.DesktopResult, error) {
	req.Launch = d.launch
	b, err := json.Marshal(req)
	if err != nil {
		return ipc.DesktopResult{}, err
	}
	w := d.w
	id := w.nextID.Add(1)
	ch := make(chan ipc.Frame, 1)
	w.mu.Lock()
	if w.child != d.child {
		w.mu.Unlock()
		return ipc.DesktopResult{}, errWindowGone
	}
	w.waiting[id] = ch
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		delete(w.waiting, id)
		w.mu.Unlock()
	}()
	if err := d.child.Conn.Send(ipc.Frame{Type: ipc.TypeDesktop, ID: id, Payload: b}); err != nil {
		return ipc.DesktopResult{}, fmt.Errorf("%s: %w", req.Op, err)
	}
	var f ipc.Frame
	select {
	case f = <-ch:
	case <-ctx.Done():
		return ipc.DesktopResult{}, fmt.Errorf("%s: %w", req.Op, ctx.Err())
	}
	if f.Payload == nil {
		return ipc.DesktopResult{}, errWindowGone
	}
	var r ipc.DesktopResult
	if err := json.Unmarshal(f.Payload, &r); err != nil {
		return ipc.DesktopResult{}, fmt.Errorf("%s: the window's answer: %w", req.Op, err)
	}
	switch r.Code {
	case "":
		return r, nil
	case ipc.DesktopNoGesture:
		return r, fmt.Errorf("%w: %s", host.ErrNoUserGesture, r.Message)
	case ipc.DesktopTooLarge:
		return r, host.Deny(host.CodeTooLarge, r.Message)
	}
	return r, errors.New(r.Message)
}

// answer hands an answer from the webview process (an Eval's or a
// desktop request's) to the request waiting for it; one nobody waits for
// any more is dropped.
func (w *Window) answer(f ipc.Frame) {
	if f.Payload == nil {
		f.Payload = []byte{} // nil is kept for dropWaiting's "gone"
	}
	w.mu.Lock()
	ch := w.waiting[f.ID]
	delete(w.waiting, f.ID)
	w.mu.Unlock()
	if ch != nil {
		ch <- f
	}
}

// dropWaiting fails the requests still waiting when a webview process
// ends: their answer will never come. Each gets a frame with a nil
// payload.
func (w *Window) dropWaiting() {
	w.mu.Lock()
	waiting := w.waiting
	w.waiting = map[uint32]chan ipc.Frame{}
	w.mu.Unlock()
	for _, ch := range waiting {
		ch <- ipc.Frame{}
	}
}
