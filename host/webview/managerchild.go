package webview

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"path"
	"sync"

	"github.com/wardenhq/warden/host/ipc"
	"github.com/wardenhq/warden/host/managerui"
)

// The manager mode of a webview process: when the core's first frame is
// TypeManagerInit rather than TypeInit, the process shows Warden's own
// manager page (package managerui, served from the managerScheme) and
// registers the "manager" message handler, whose requests it relays to
// the core as TypeManagerCall frames. A plugin's webview process never
// registers that handler, and the core reads manager frames only from the
// process it started as the manager: a plugin page has no way to them.

// managerScheme serves the manager's page.
const managerScheme = "warden-manager"

// ManagerHandler is the message handler the manager's page posts to.
const ManagerHandler = "manager"

// managerChild is the state of the manager's webview process.
type managerChild struct {
	conn *ipc.Conn
	log  *slog.Logger
	w    *Window

	mu      sync.Mutex
	nextID  uint32
	pending map[uint32]func(value, errMsg string)

	done bool // GTK thread
	err  error
}

// runManager runs this process as the manager window until it closes or
// the core stops it. payload is the TypeManagerInit frame's.
func runManager(ctx context.Context, conn *ipc.Conn, payload []byte) error {
	var in ipc.ManagerInit
	if err := json.Unmarshal(payload, &in); err != nil {
		return fmt.Errorf("%w: manager: %w", ErrBadInit, err)
	}
	if err := Init(); err != nil {
		return fmt.Errorf("webview: %w", err)
	}
	m := &managerChild{conn: conn, log: slog.Default().With("window", "manager"), pending: map[uint32]func(string, string){}}
	w, err := New(Options{Title: in.Title, Width: in.Width, Height: in.Height, Sandbox: true})
	if err != nil {
		return fmt.Errorf("open manager window: %w", err)
	}
	m.w = w
	w.SetIcons(managerIcons(m.log))
	if in.Placed {
		w.Move(in.X, in.Y)
	}
	w.RegisterScheme(managerScheme, serveManagerFile)
	w.HandleWithReply(ManagerHandler, "", m.call)
	w.SetNavigationPolicy(func(n Navigation) bool {
		u, err := url.Parse(n.URI)
		return err == nil && !n.NewWindow && u.Scheme == managerScheme
	})
	w.OnTerminated(func(reason string) {
		m.send(ipc.Frame{Type: ipc.TypeCrashed, Payload: []byte(reason)})
		m.end(fmt.Errorf("%w: %s", ErrWebProcess, reason))
	})
	w.OnClose(func() {
		m.send(ipc.Frame{Type: ipc.TypeClosed})
		m.end(nil)
	})
	w.Navigate(managerScheme + "://app/index.html")
	go m.read()
	stop := context.AfterFunc(ctx, func() { Dispatch(func() { m.end(ctx.Err()) }) })
	defer stop()
	Run()
	return m.err
}

// managerIcons decodes Warden's own window icons (managerui.Icons), with
// Go's decoder as for plugins' icons; one that does not decode is left out
// and logged.
func managerIcons(log *slog.Logger) []Icon {
	names, _ := fs.Glob(managerui.Icons, "*.png")
	var out []Icon
	for _, name := range names {
		b, err := fs.ReadFile(managerui.Icons, name)
		var img image.Image
		if err == nil {
			img, err = png.Decode(bytes.NewReader(b))
		}
		if err != nil || img.Bounds().Dx() != img.Bounds().Dy() {
			log.Warn("manager icon", "name", name, "err", err)
			continue
		}
		n := img.Bounds().Dx()
		rgba := image.NewNRGBA(image.Rect(0, 0, n, n))
		draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
		out = append(out, Icon{Size: n, RGBA: rgba.Pix})
	}
	return out
}

// serveManagerFile serves the manager's page from managerui.Files.
func serveManagerFile(r *Request) *Response {
	u, err := url.Parse(r.URI)
	if err != nil || u.Host != "app" {
		return nil
	}
	name := path.Clean(u.Path)[1:]
	b, err := fs.ReadFile(managerui.Files, name)
	if err != nil {
		return nil
	}
	ct := mime.TypeByExtension(path.Ext(name))
	return &Response{ContentType: ct, Body: b, Headers: http.Header{
		"Content-Security-Policy": {managerui.CSP},
		"X-Content-Type-Options":  {"nosniff"},
	}}
}

// call relays one request of the page to the core. GTK thread.
func (m *managerChild) call(msg string, reply func(value, errMsg string)) {
	if len(msg) > ipc.MaxManagerCall {
		reply("", "request too large")
		return
	}
	m.mu.Lock()
	m.nextID++
	id := m.nextID
	m.pending[id] = reply
	m.mu.Unlock()
	m.send(ipc.Frame{Type: ipc.TypeManagerCall, ID: id, Payload: []byte(msg)})
}

// read handles the core's frames until the connection ends.
func (m *managerChild) read() {
	for {
		f, err := m.conn.Recv()
		if err != nil {
			Dispatch(func() { m.end(nil) })
			return
		}
		switch f.Type {
		case ipc.TypeManagerReply:
			m.mu.Lock()
			reply := m.pending[f.ID]
			delete(m.pending, f.ID)
			m.mu.Unlock()
			if reply == nil {
				continue
			}
			var r ipc.ManagerReply
			if err := json.Unmarshal(f.Payload, &r); err != nil {
				reply("", "bad reply from the core")
				continue
			}
			reply(string(r.Value), r.Error)
		case ipc.TypeEval:
			id, src := f.ID, string(f.Payload)
			Dispatch(func() {
				m.w.Eval(src, func(res string, err error) {
					m.send(ipc.Frame{Type: ipc.TypeEvalResult, ID: id, Payload: evalPayload(res, err)})
				})
			})
		case ipc.TypeDesktop:
			id, payload := f.ID, f.Payload
			Dispatch(func() { m.pick(id, payload) })
		case ipc.TypeShutdown:
			Dispatch(func() { m.end(nil) })
		default:
			m.log.Warn("frame ignored", "type", f.Type)
		}
	}
}

// send sends f to the core; a failure ends the process.
func (m *managerChild) send(f ipc.Frame) {
	if err := m.conn.Send(f); err != nil {
		onGTK(func() { m.end(fmt.Errorf("send %s: %w", f.Type, err)) })
	}
}

// end closes the window and ends the process with err. GTK thread.
func (m *managerChild) end(err error) {
	if m.done {
		return
	}
	m.done, m.err = true, err
	m.w.Destroy()
	m.mu.Lock()
	p := m.pending
	m.pending = map[uint32]func(string, string){}
	m.mu.Unlock()
	for _, reply := range p {
		reply("", "the manager is closing")
	}
	Quit()
}

// pick shows the file dialog the core asks for (to choose a bundle to
// install) and answers with the picked path, or raises the window
// (DesktopPresent). The manager's page is
// Warden's own, so no user-gesture check applies. GTK thread.
func (m *managerChild) pick(id uint32, payload []byte) {
	answer := func(r ipc.DesktopResult) {
		b, _ := json.Marshal(r)
		m.send(ipc.Frame{Type: ipc.TypeDesktopResult, ID: id, Payload: b})
	}
	var req ipc.Desktop
	err := json.Unmarshal(payload, &req)
	if err == nil && req.Op == ipc.DesktopPresent {
		m.w.Present()
		answer(ipc.DesktopResult{})
		return
	}
	if err != nil || req.Op != ipc.DesktopOpen {
		answer(ipc.DesktopResult{Code: "failed", Message: "the manager shows open dialogs and raises its window, nothing else"})
		return
	}
	d := FileDialog{Title: req.Title, Folder: req.Folder}
	for _, f := range req.Filters {
		d.Filters = append(d.Filters, FileFilter{Name: f.Name, Patterns: f.Patterns})
	}
	if err := m.w.PickFile(d, func(path string) { answer(ipc.DesktopResult{Path: path}) }); err != nil {
		answer(ipc.DesktopResult{Code: ipc.DesktopBusy, Message: "a dialog is already open"})
	}
}
