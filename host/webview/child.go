package webview

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/wardenhq/warden/host/ipc"
	"github.com/wardenhq/warden/host/webview/webext"
	"github.com/wardenhq/warden/isolation"
	"github.com/wardenhq/warden/sdk/js"
)

var (
	// ErrWebProcess reports that WebKit's web process ended abnormally; the
	// webview process exits non-zero so that the core restarts it.
	ErrWebProcess = errors.New("web process ended")
	// ErrBadInit reports an unusable Init frame.
	ErrBadInit = errors.New("bad init")
)

// The scripts a child injects. Variables so that tests can run the
// process with small scripts of their own.
var (
	bridgeJS  = js.Bridge
	channelJS = js.Channel
)

// child is the state of one webview process. Fields other than conn, mu
// and pending are used on the GTK thread only.
type child struct {
	conn *ipc.Conn
	init ipc.Init
	log  *slog.Logger

	w     *Window
	files *pluginFiles
	iso   *isolationDoc
	app   string // the default isolation app's script
	// tmpData is a website data directory to remove at exit.
	tmpData string
	pages   int            // main-frame pages committed so far (GTK thread)
	console consoleLimiter // developer mode's console rate (GTK thread)
	launch  string         // the current page's launch id (GTK thread)

	mu      sync.Mutex
	nextID  uint32
	pending map[uint32]func(value, errMsg string)
	next    *ipc.NextLaunch // the launch for the next page, from the core

	done bool
	err  error
}

// channelFD is where the core puts the web extension's direct channel when
// Init.Channel is set.
const channelFD = 4

// RunChild is the webview process: it reads the Init frame from conn,
// shows the plugin's window and serves the protocol of package host/ipc
// until the core sends TypeShutdown (nil), the user closes the window
// (TypeClosed, nil), the web process dies (TypeCrashed, an error wrapping
// ErrWebProcess), the connection fails or ctx ends. It must be called on
// the main goroutine (the main OS thread); it runs GTK's main loop there.
// It does not close conn.
func RunChild(ctx context.Context, conn *ipc.Conn) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := closeInheritedOnExec(); err != nil {
		return fmt.Errorf("webview: %w", err)
	}
	// GTK starts before the first frame is read, so that a spare process
	// (window.Manager.PrepareSpare) has done it when its plugin arrives.
	if err := Init(); err != nil {
		return fmt.Errorf("webview: %w", err)
	}
	first, err := readFirst(ctx, conn)
	if err != nil {
		return err
	}
	if first.Type == ipc.TypeManagerInit {
		return runManager(ctx, conn, first.Payload)
	}
	init, err := parseInit(first)
	if err != nil {
		return err
	}
	c, err := newChild(conn, init, slog.Default().With("plugin", init.PluginID, "launch", init.LaunchID))
	if err != nil {
		return err
	}
	// Run has not started: this goroutine is the GTK thread.
	c.open()
	c.readCore()
	stop := context.AfterFunc(ctx, func() { Dispatch(func() { c.end(ctx.Err()) }) })
	defer stop()
	Run()
	if c.tmpData != "" {
		os.RemoveAll(c.tmpData)
	}
	return c.err
}

// readFirst waits for the core's first frame.
func readFirst(ctx context.Context, conn *ipc.Conn) (ipc.Frame, error) {
	type result struct {
		f   ipc.Frame
		err error
	}
	ch := make(chan result, 1)
	go func() {
		f, err := conn.Recv()
		ch <- result{f, err}
	}()
	var r result
	select {
	case r = <-ch:
	case <-ctx.Done():
		return ipc.Frame{}, fmt.Errorf("wait for init: %w", ctx.Err())
	}
	if r.err != nil {
		return ipc.Frame{}, fmt.Errorf("read init: %w", r.err)
	}
	return r.f, nil
}

// parseInit reads a plugin window's Init from the first frame.
func parseInit(f ipc.Frame) (ipc.Init, error) {
	if f.Type != ipc.TypeInit {
		return ipc.Init{}, fmt.Errorf("%w: first frame is %s", ErrBadInit, f.Type)
	}
	var init ipc.Init
	if err := json.Unmarshal(f.Payload, &init); err != nil {
		return ipc.Init{}, fmt.Errorf("%w: %w", ErrBadInit, err)
	}
	return init, nil
}

func newChild(conn *ipc.Conn, init ipc.Init, log *slog.Logger) (*child, error) {
	if len(init.Key) != isolation.KeySize {
		return nil, fmt.Errorf("%w: key is %d bytes, want %d", ErrBadInit, len(init.Key), isolation.KeySize)
	}
	if init.PluginID == "" || init.Entry == "" {
		return nil, fmt.Errorf("%w: plugin id and entry are required", ErrBadInit)
	}
	files, err := newPluginFiles(init.PluginID, init.Dir, init.CSP)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadInit, err)
	}
	doc, err := isolation.Document(isolation.Key(init.Key), init.PluginID, init.LaunchID)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadInit, err)
	}
	app, err := fs.ReadFile(isolation.App(), "isolation.js")
	if err != nil {
		return nil, fmt.Errorf("isolation app: %w", err)
	}
	c := &child{conn: conn, init: init, log: log, files: files, pending: map[uint32]func(string, string){}}
	c.iso = &isolationDoc{id: init.PluginID, doc: doc, refused: func(uri string) {
		c.sendLog("warn", "refused a second request for the isolation document: "+uri)
	}}
	c.app = string(app)
	c.launch = init.LaunchID
	return c, nil
}

// entryURL is the plugin's start page.
func (c *child) entryURL() string {
	u := url.URL{Scheme: "plugin", Host: c.init.PluginID, Path: path.Clean("/" + c.init.Entry)}
	return u.String()
}

// open builds the window: schemes, scripts, handler, policy, callbacks.
func (c *child) open() {
	in := c.init
	dataDir := in.DataDir
	if in.Debug {
		if err := captureConsole(c.sendLog); err != nil {
			c.log.Warn("page console is not forwarded", "err", err)
		}
		// WebKit never logs the console of an ephemeral session: in debug
		// mode use a throwaway directory instead.
		if dataDir == "" {
			dir, err := os.MkdirTemp("", "warden-webview-")
			if err != nil {
				c.log.Warn("page console is not forwarded", "err", err)
			}
			c.tmpData, dataDir = dir, dir
		}
	}
	ext := c.extension()
	w, err := New(Options{Title: in.Title, Width: in.Width, Height: in.Height, DataDir: dataDir, Sandbox: in.Sandbox, Debug: in.Debug, Extension: ext, Features: in.Features})
	if err != nil {
		c.end(fmt.Errorf("open window: %w", err))
		return
	}
	c.w = w
	if len(in.Icons) > 0 {
		icons := make([]Icon, len(in.Icons))
		for i, ic := range in.Icons {
			icons[i] = Icon{Size: ic.Size, RGBA: ic.RGBA}
		}
		w.SetIcons(icons)
	}
	if ext != nil {
		w.OfferChannel(channelFD)
	}
	if in.Placed {
		w.Move(in.X, in.Y)
	}
	w.RegisterScheme("plugin", c.files.serve)
	w.RegisterScheme("isolation", c.iso.serve)
	w.AddScript(bridgeJS, "", false, nil)
	if in.Dev {
		c.enableDev(w)
	}
	isoOnly := []string{"isolation://*/*"}
	w.AddScript(c.app, js.World, true, isoOnly)
	for _, s := range in.IsolationJS {
		w.AddScript(s, js.World, true, isoOnly)
	}
	w.AddScript(channelJS, js.World, true, isoOnly)
	w.HandleWithReply(js.Handler, js.World, c.invoke)
	w.SetNavigationPolicy(func(n Navigation) bool {
		ok := allowNavigation(in.PluginID, n)
		if !ok {
			c.log.Info("navigation refused", "uri", n.URI, "new_window", n.NewWindow)
		}
		return ok
	})
	w.OnLoadChanged(c.loadChanged)
	w.OnTerminated(func(reason string) {
		c.send(ipc.Frame{Type: ipc.TypeCrashed, Payload: []byte(reason)})
		c.end(fmt.Errorf("%w: %s", ErrWebProcess, reason))
	})
	w.OnClose(func() {
		c.send(ipc.Frame{Type: ipc.TypeClosed})
		c.end(nil)
	})
	w.Navigate(c.entryURL())
}

// extension returns how to load the web process extension, which takes
// the core's direct channel (fd 4), or nil when the core sent none or the
// extension is not installed; envelopes are then relayed by this process
// and the channel, if any, is closed so the core stops reading it.
func (c *child) extension() *Extension {
	if !c.init.Channel {
		return nil
	}
	exe, err := os.Executable()
	dir := ""
	if err == nil {
		dir, err = webext.Dir(exe)
	}
	if err != nil {
		c.log.Warn("invokes are relayed by the webview process", "err", err)
		unix.Close(channelFD)
		return nil
	}
	unix.CloseOnExec(channelFD)
	return &Extension{Dir: dir, World: js.World, Prefix: "isolation://" + c.init.PluginID + "/"}
}

func (c *child) loadChanged(ev LoadEvent, uri string) {
	switch ev {
	case LoadCommitted:
		// A new page gets its own isolation frame, and after the first
		// page its own launch: its isolation app starts at seq 1 again.
		if c.pages > 0 {
			c.relaunch()
		}
		c.pages++
		c.iso.reset()
	case LoadFinished:
		b, _ := json.Marshal(struct {
			URL    string `json:"url"`
			Launch string `json:"launch"`
		}{uri, c.launch})
		c.send(ipc.Frame{Type: ipc.TypeReady, Payload: b})
	}
}

// relaunch switches to the launch the core handed over for the next page
// and tells the core, before any envelope of the new page can be sent.
// Without one (two reloads faster than the core answers) the new page gets
// no isolation document and its invokes fail until the window reopens.
func (c *child) relaunch() {
	c.mu.Lock()
	next := c.next
	c.next = nil
	c.mu.Unlock()
	if next == nil {
		c.iso.doc = nil
		c.sendLog("warn", "page reloaded before the core handed over the next launch")
		return
	}
	doc, err := isolation.Document(isolation.Key(next.Key), c.init.PluginID, next.LaunchID)
	if err != nil {
		c.iso.doc = nil
		c.sendLog("error", "next launch: "+err.Error())
		return
	}
	c.iso.doc = doc
	c.launch = next.LaunchID
	c.send(ipc.Frame{Type: ipc.TypeRelaunched, Payload: []byte(next.LaunchID)})
}

// invoke relays one envelope from the isolation frame to the core; the
// reply arrives later as TypeReply with the same id.
func (c *child) invoke(msg string, reply func(value, errMsg string)) {
	// The core refuses an envelope over its limit from the frame header;
	// one over the frame limit would fail the write and end this process.
	// Answer it here, as the core would, and keep the window.
	if max := c.init.MaxEnvelope; max > 0 && len(msg) > max {
		b, _ := json.Marshal(struct {
			ID    int  `json:"id"`
			OK    bool `json:"ok"`
			Error any  `json:"error"`
		}{Error: map[string]string{"code": "too_large", "message": fmt.Sprintf("envelope too large: %d bytes, limit %d", len(msg), max)}})
		reply(string(b), "")
		return
	}
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	c.pending[id] = reply
	c.mu.Unlock()
	c.send(ipc.Frame{Type: ipc.TypeInvoke, ID: id, Payload: []byte(msg)})
}

// send writes f to the core; a failed write ends the process.
func (c *child) send(f ipc.Frame) {
	if err := c.conn.Send(f); err != nil {
		c.log.Error("send to core", "type", f.Type, "err", err)
		onGTK(func() { c.end(fmt.Errorf("send %s: %w", f.Type, err)) })
	}
}

func (c *child) sendLog(level, msg string) {
	b, _ := json.Marshal(struct {
		Level   string `json:"level"`
		Message string `json:"message"`
	}{level, msg})
	c.send(ipc.Frame{Type: ipc.TypeLog, Payload: b})
}

// end ends the process with err (nil for a clean exit). GTK thread only.
func (c *child) end(err error) {
	if c.done {
		return
	}
	c.done, c.err = true, err
	c.w.Destroy()
	c.failPending()
	Quit()
}

// failPending rejects invokes still waiting for the core.
func (c *child) failPending() {
	c.mu.Lock()
	p := c.pending
	c.pending = map[uint32]func(string, string){}
	c.mu.Unlock()
	for _, reply := range p {
		reply("", "webview closing")
	}
}

// readCore starts reading the core's frames: on the GTK thread when the
// connection is a file descriptor (a reply then wakes one thread, not a
// reader goroutine and then the GTK thread), else on a goroutine.
func (c *child) readCore() {
	rc, ok := c.conn.SyscallConn()
	fd := -1
	if ok {
		if err := rc.Control(func(f uintptr) { fd = int(f) }); err != nil {
			fd = -1
		}
	}
	if fd < 0 {
		go c.readFrames()
		return
	}
	dec := ipc.NewDecoder(0)
	dec.Write(c.conn.Buffered())
	buf := make([]byte, 64<<10)
	// Frames read ahead with Init are handled once the loop runs (dec
	// keeps them ahead of anything read later).
	Dispatch(func() { c.drain(dec) })
	WatchReadable(fd, func() bool {
		// Bounded per wake-up so that a flood from the core cannot
		// starve the window; the rest is read on the next iteration.
		for range 16 {
			n, _, err := unix.Recvfrom(fd, buf, unix.MSG_DONTWAIT)
			if err == unix.EINTR {
				continue
			}
			if err == unix.EAGAIN {
				break
			}
			if err != nil || n == 0 {
				if err == nil {
					err = io.EOF
				}
				c.end(fmt.Errorf("read from core: %w", err))
				return false
			}
			dec.Write(buf[:n])
			if !c.drain(dec) {
				return false
			}
		}
		return !c.done
	})
}

// drain handles every complete frame dec holds; false when the stream is
// broken (the process is then finishing).
func (c *child) drain(dec *ipc.Decoder) bool {
	for {
		f, ok, err := dec.Next()
		if err != nil {
			c.end(fmt.Errorf("read from core: %w", err))
			return false
		}
		if !ok {
			return true
		}
		c.handle(f)
	}
}

// readFrames reads the core's frames until the connection ends.
func (c *child) readFrames() {
	for {
		f, err := c.conn.Recv()
		if err != nil {
			Dispatch(func() { c.end(fmt.Errorf("read from core: %w", err)) })
			return
		}
		c.handle(f)
	}
}

// handle acts on one frame from the core (reader goroutine).
func (c *child) handle(f ipc.Frame) {
	switch f.Type {
	case ipc.TypeReply:
		c.mu.Lock()
		reply := c.pending[f.ID]
		delete(c.pending, f.ID)
		c.mu.Unlock()
		if reply == nil {
			c.log.Warn("reply to unknown invoke", "id", f.ID)
			return
		}
		reply(string(f.Payload), "")
	case ipc.TypeEval:
		id, src := f.ID, string(f.Payload)
		Dispatch(func() { c.w.Eval(src, func(res string, err error) { c.evalResult(id, res, err) }) })
	case ipc.TypeEvent:
		if !json.Valid(f.Payload) {
			c.log.Warn("event payload is not JSON")
			return
		}
		src := "window.__wardenEvent && window.__wardenEvent(" + string(f.Payload) + ");"
		Dispatch(func() { c.w.Eval(src, nil) })
	case ipc.TypeShutdown:
		Dispatch(func() { c.end(nil) })
	case ipc.TypeReload:
		Dispatch(func() { c.w.Reload() })
	case ipc.TypeNotice:
		text := strings.ToValidUTF8(string(f.Payload), "\uFFFD")
		Dispatch(func() { c.w.SetNotice(text) })
	case ipc.TypeDesktop:
		id, payload := f.ID, bytes.Clone(f.Payload)
		Dispatch(func() { c.desktop(id, payload) })
	case ipc.TypeNextLaunch:
		var next ipc.NextLaunch
		if err := json.Unmarshal(f.Payload, &next); err != nil || len(next.Key) != isolation.KeySize || next.LaunchID == "" {
			c.log.Warn("bad next launch from core")
			return
		}
		c.mu.Lock()
		c.next = &next
		c.mu.Unlock()
	default:
		c.log.Warn("unexpected frame from core", "type", f.Type)
	}
}

func (c *child) evalResult(id uint32, res string, err error) {
	c.send(ipc.Frame{Type: ipc.TypeEvalResult, ID: id, Payload: evalPayload(res, err)})
}

// evalPayload is a TypeEvalResult payload: {"ok","value","error"}.
func evalPayload(res string, err error) []byte {
	type result struct {
		OK    bool            `json:"ok"`
		Value json.RawMessage `json:"value,omitempty"`
		Error string          `json:"error,omitempty"`
	}
	r := result{OK: err == nil, Value: json.RawMessage(res)}
	if err != nil {
		r.Error, r.Value = err.Error(), nil
	}
	b, merr := json.Marshal(r)
	if merr != nil {
		b, _ = json.Marshal(result{Error: "result is not JSON: " + merr.Error()})
	}
	return b
}
