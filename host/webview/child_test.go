package webview

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/wardenhq/warden/host/ipc"
	"github.com/wardenhq/warden/internal/helperproc"
	"github.com/wardenhq/warden/isolation"
	"github.com/wardenhq/warden/manifest"
)

// syncBuffer collects the child's stderr.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testCore plays the core for one webview process.
type testCore struct {
	conn    *ipc.Conn
	cmd     *exec.Cmd
	stderr  *syncBuffer
	exited  chan struct{} // closed when the process has ended
	exitErr error         // set before exited is closed
	ready   chan string
	invokes chan ipc.Frame
	logs    chan string
	other   chan ipc.Frame

	mu     sync.Mutex
	evals  map[uint32]chan ipc.Frame
	nextID atomic.Uint32
}

// startChild re-executes the test binary as a webview process on a
// socketpair and sends it init.
func startChild(t *testing.T, init ipc.Init) *testCore {
	t.Helper()
	return startChildOut(t, init, nil)
}

// startChildOut is startChild with the process's stdout sent to stdout.
func startChildOut(t *testing.T, init ipc.Init, stdout io.Writer) *testCore {
	t.Helper()
	needDisplay(t)
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	mine, theirs := os.NewFile(uintptr(fds[0]), "core"), os.NewFile(uintptr(fds[1]), "child")
	nc, err := net.FileConn(mine)
	mine.Close()
	if err != nil {
		t.Fatal(err)
	}
	c := &testCore{
		conn: ipc.NewConn(nc, 0), stderr: &syncBuffer{}, exited: make(chan struct{}),
		ready: make(chan string, 16), invokes: make(chan ipc.Frame, 16), logs: make(chan string, 64),
		other: make(chan ipc.Frame, 16), evals: map[uint32]chan ipc.Frame{},
	}
	c.cmd = helperproc.Command(childRole)
	c.cmd.ExtraFiles = []*os.File{theirs}
	c.cmd.Stderr = c.stderr
	c.cmd.Stdout = stdout
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	theirs.Close()
	go func() { c.exitErr = c.cmd.Wait(); close(c.exited) }()
	t.Cleanup(func() {
		c.conn.Close()
		select {
		case <-c.exited:
		case <-time.After(5 * time.Second):
			c.cmd.Process.Kill()
			<-c.exited
			t.Error("the webview process did not exit when the core closed the connection")
		}
		if t.Failed() {
			t.Logf("webview process stderr:\n%s", c.stderr.String())
		}
	})
	payload, err := json.Marshal(init)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.conn.Send(ipc.Frame{Type: ipc.TypeInit, Payload: payload}); err != nil {
		t.Fatal(err)
	}
	go c.read()
	return c
}

// read routes the child's frames.
func (c *testCore) read() {
	for {
		f, err := c.conn.Recv()
		if err != nil {
			close(c.other)
			return
		}
		switch f.Type {
		case ipc.TypeReady:
			var r struct{ URL string }
			json.Unmarshal(f.Payload, &r)
			c.ready <- r.URL
		case ipc.TypeInvoke:
			c.invokes <- f
		case ipc.TypeLog:
			c.logs <- string(f.Payload)
		case ipc.TypeEvalResult:
			c.mu.Lock()
			ch := c.evals[f.ID]
			c.mu.Unlock()
			if ch != nil {
				ch <- f
			}
		default:
			c.other <- f
		}
	}
}

// eval runs an async function body in the page and returns its JSON.
func (c *testCore) eval(t *testing.T, src string) (json.RawMessage, error) {
	t.Helper()
	id := c.nextID.Add(1)
	ch := make(chan ipc.Frame, 1)
	c.mu.Lock()
	c.evals[id] = ch
	c.mu.Unlock()
	if err := c.conn.Send(ipc.Frame{Type: ipc.TypeEval, ID: id, Payload: []byte(src)}); err != nil {
		t.Fatal(err)
	}
	select {
	case f := <-ch:
		var r struct {
			OK    bool            `json:"ok"`
			Value json.RawMessage `json:"value"`
			Error string          `json:"error"`
		}
		if err := json.Unmarshal(f.Payload, &r); err != nil {
			t.Fatalf("eval result %s: %v", f.Payload, err)
		}
		if !r.OK {
			return nil, errors.New(r.Error)
		}
		return r.Value, nil
	case <-time.After(10 * time.Second):
		t.Fatalf("eval %q: no result", src)
		return nil, nil
	}
}

// evalInto runs src and decodes its result into v.
func (c *testCore) evalInto(t *testing.T, src string, v any) {
	t.Helper()
	res, err := c.eval(t, src)
	if err != nil {
		t.Fatalf("eval %q: %v", src, err)
	}
	if err := json.Unmarshal(res, v); err != nil {
		t.Fatalf("eval %q gave %s: %v", src, res, err)
	}
}

func (c *testCore) waitReady(t *testing.T) string {
	t.Helper()
	select {
	case u := <-c.ready:
		return u
	case <-time.After(20 * time.Second):
		t.Fatal("no ready frame")
		return ""
	}
}

// writePlugin writes a small plugin UI (no inline script is needed: the
// inline one is there to prove the CSP blocks it) and a secret file next
// to the plugin directory.
func writePlugin(t *testing.T) (dir, secret string) {
	t.Helper()
	root := t.TempDir()
	dir = filepath.Join(root, "plugin")
	files := map[string]string{
		"ui/index.html": `<!doctype html><html><head><meta charset="utf-8"><title>test plugin</title>
<script src="app.js"></script></head><body><p id="p">hello</p>
<script>window.inlineRan = true;</script></body></html>`,
		"ui/app.js":     `window.appRan = true;`,
		"ui/other.js":   `window.otherRan = true;`,
		"manifest.json": `{}`,
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	secret = filepath.Join(root, "secret.js")
	if err := os.WriteFile(secret, []byte(`window.leaked = true;`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(dir, "ui", "link.js")); err != nil {
		t.Fatal(err)
	}
	return dir, secret
}

func testInit(t *testing.T, dir string) (ipc.Init, isolation.Key) {
	key, err := isolation.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	return ipc.Init{
		PluginID: "com.example.test", LaunchID: "launch1", Key: key[:], Dir: dir, Entry: "ui/index.html",
		Title: "test", Width: 400, Height: 300, CSP: []string{manifest.DefaultCSP},
		DataDir: filepath.Join(t.TempDir(), "webdata"), Sandbox: true,
	}, key
}

// loadScript reports whether a <script src> loads in the page.
const loadScript = `return await new Promise(function (resolve) {
  var s = document.createElement('script');
  s.src = %q;
  s.onload = function () { resolve('loaded'); };
  s.onerror = function () { resolve('error'); };
  document.head.appendChild(s);
});`

// TestChild runs one webview process through the protocol. The steps share
// the process because each one costs WebKit a web and a network process.
func TestChild(t *testing.T) {
	dir, _ := writePlugin(t)
	init, key := testInit(t, dir)
	core := startChild(t, init)
	if got, want := core.waitReady(t), "plugin://com.example.test/ui/index.html"; got != want {
		t.Fatalf("ready url %q, want %q", got, want)
	}

	t.Run("eval awaits promises", func(t *testing.T) {
		var n int
		core.evalInto(t, `return await new Promise(function (r) { setTimeout(function () { r(42); }, 20); });`, &n)
		if n != 42 {
			t.Fatalf("got %d", n)
		}
		_, err := core.eval(t, `throw new Error('boom');`)
		if err == nil || !strings.Contains(err.Error(), "boom") {
			t.Fatalf("throwing eval: %v", err)
		}
		res, err := core.eval(t, `document.title;`)
		if err != nil || string(res) != "null" {
			t.Fatalf("undefined result: %s, %v", res, err)
		}
	})

	t.Run("page world has no native handler", func(t *testing.T) {
		var s string
		core.evalInto(t, `return typeof window.webkit + ' ' + typeof window.WardenIsolation;`, &s)
		if s != "undefined undefined" {
			t.Fatalf("page world sees %q", s)
		}
	})

	t.Run("csp blocks inline script and network", func(t *testing.T) {
		var hits atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
		defer srv.Close()
		var got struct {
			App, Inline bool
			Fetch       string
		}
		core.evalInto(t, fmt.Sprintf(`var f = await fetch(%q).then(function () { return 'fetched'; }, function (e) { return 'blocked'; });
return {app: window.appRan === true, inline: window.inlineRan === true, fetch: f};`, srv.URL), &got)
		if !got.App || got.Inline || got.Fetch != "blocked" {
			t.Fatalf("app script ran %v (want true), inline ran %v (want false), fetch %q (want blocked)", got.App, got.Inline, got.Fetch)
		}
		core.evalInto(t, fmt.Sprintf(`location.href = %q; await new Promise(function (r) { setTimeout(r, 300); }); return location.href;`, srv.URL), new(string))
		if n := hits.Load(); n != 0 {
			t.Fatalf("the test server saw %d requests", n)
		}
	})

	t.Run("files are contained", func(t *testing.T) {
		for _, tc := range []struct{ src, want string }{
			{"plugin://com.example.test/ui/other.js", "loaded"},
			{"plugin://com.example.test/../secret.js", "error"},
			{"plugin://com.example.test/ui/%2e%2e/%2e%2e/secret.js", "error"},
			{"plugin://com.example.test/ui/..%2f..%2fsecret.js", "error"},
			{"plugin://com.example.test/ui/link.js", "error"},
			{"plugin://com.example.test/../../etc/passwd", "error"},
		} {
			var got string
			core.evalInto(t, fmt.Sprintf(loadScript, tc.src), &got)
			if got != tc.want {
				t.Errorf("%s: %s, want %s", tc.src, got, tc.want)
			}
		}
		var leaked bool
		core.evalInto(t, `return window.leaked === true;`, &leaked)
		if leaked {
			t.Fatal("a file outside the plugin directory ran")
		}
	})

	t.Run("invoke round trip through the isolation frame", func(t *testing.T) {
		opener := isolation.NewOpener(key, init.PluginID, init.LaunchID, 0)
		type result struct {
			v   json.RawMessage
			err error
		}
		done := make(chan result, 1)
		go func() {
			v, err := core.eval(t, `return await window.testInvoke('ping', {n: 7});`)
			done <- result{v, err}
		}()
		var f ipc.Frame
		select {
		case f = <-core.invokes:
		case <-time.After(10 * time.Second):
			t.Fatal("no invoke frame")
		}
		req, err := opener.Open(f.Payload)
		if err != nil {
			t.Fatalf("open envelope %q: %v", f.Payload, err)
		}
		if req.Seq != 1 || req.Cmd != "ping" || string(req.Args) != `{"n":7}` {
			t.Fatalf("request %+v", req)
		}
		reply := fmt.Sprintf(`{"id":%d,"ok":true,"result":"pong"}`, req.ID)
		if err := core.conn.Send(ipc.Frame{Type: ipc.TypeReply, ID: f.ID, Payload: []byte(reply)}); err != nil {
			t.Fatal(err)
		}
		r := <-done
		var got string
		if r.err != nil || json.Unmarshal(r.v, &got) != nil || got != reply {
			t.Fatalf("page got %s (%v), want %s", r.v, r.err, reply)
		}
	})

	t.Run("isolation document is served once", func(t *testing.T) {
		core.evalInto(t, `var f = document.createElement('iframe'); f.src = 'isolation://com.example.test/';
document.body.appendChild(f); return true;`, new(bool))
		select {
		case l := <-core.logs:
			if !strings.Contains(l, "second request for the isolation document") {
				t.Fatalf("log %s", l)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a second isolation document request was not refused")
		}
	})

	t.Run("events reach the page", func(t *testing.T) {
		if err := core.conn.Send(ipc.Frame{Type: ipc.TypeEvent, Payload: []byte(`{"event":"tick","payload":{"n":1}}`)}); err != nil {
			t.Fatal(err)
		}
		var evs []struct {
			Event   string
			Payload struct{ N int }
		}
		core.evalInto(t, `return window.testEvents;`, &evs)
		if len(evs) != 1 || evs[0].Event != "tick" || evs[0].Payload.N != 1 {
			t.Fatalf("events %+v", evs)
		}
	})

	t.Run("navigation to another origin is refused", func(t *testing.T) {
		var got struct {
			Href string
			Open bool
		}
		core.evalInto(t, `var w = window.open('plugin://com.example.test/ui/index.html');
location.href = 'plugin://com.example.other/ui/index.html';
await new Promise(function (r) { setTimeout(r, 300); });
return {href: location.href, open: w !== null};`, &got)
		if got.Href != "plugin://com.example.test/ui/index.html" || got.Open {
			t.Fatalf("after navigating away: %+v", got)
		}
		select {
		case u := <-core.ready:
			t.Fatalf("a page loaded: %s", u)
		default:
		}
	})

	t.Run("shutdown exits cleanly", func(t *testing.T) {
		if err := core.conn.Send(ipc.Frame{Type: ipc.TypeShutdown}); err != nil {
			t.Fatal(err)
		}
		select {
		case <-core.exited:
			if core.exitErr != nil {
				t.Fatalf("exit: %v", core.exitErr)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the webview process did not exit")
		}
	})
}

// TestChildRelayRefusesOversizeEnvelope: an envelope over the core's
// limit is answered too_large by the relay itself, without reaching the
// core; the window and the next invoke carry on.
func TestChildRelayRefusesOversizeEnvelope(t *testing.T) {
	dir, _ := writePlugin(t)
	init, key := testInit(t, dir)
	init.MaxEnvelope = 64 << 10
	core := startChild(t, init)
	core.waitReady(t)
	var reply string
	core.evalInto(t, `return await window.testInvoke('big', 'x'.repeat(200000));`, &reply)
	if !strings.Contains(reply, `"too_large"`) || !strings.Contains(reply, "limit 65536") {
		t.Fatalf("oversize envelope answered %s, want a too_large error", reply)
	}
	select {
	case f := <-core.invokes:
		t.Fatalf("the oversize envelope reached the core (%d bytes)", len(f.Payload))
	default:
	}
	opener := isolation.NewOpener(key, init.PluginID, init.LaunchID, 0)
	done := make(chan string, 1)
	go func() {
		var s string
		core.evalInto(t, `return await window.testInvoke('ping', 1);`, &s)
		done <- s
	}()
	select {
	case f := <-core.invokes:
		req, err := opener.Open(f.Payload)
		if err != nil {
			t.Fatal(err)
		}
		core.conn.Send(ipc.Frame{Type: ipc.TypeReply, ID: f.ID, Payload: fmt.Appendf(nil, `{"id":%d,"ok":true,"result":"pong"}`, req.ID)})
	case <-time.After(10 * time.Second):
		t.Fatal("the next invoke did not reach the core")
	}
	if got := <-done; !strings.Contains(got, "pong") {
		t.Fatalf("next invoke answered %s", got)
	}
}

// TestChildDebug runs a webview process in debug mode, without sandbox and
// with ephemeral website data: the page's console reaches the core.
func TestChildDebug(t *testing.T) {
	dir, _ := writePlugin(t)
	init, _ := testInit(t, dir)
	init.Debug, init.Sandbox, init.DataDir = true, false, ""
	core := startChild(t, init)
	core.waitReady(t)
	core.evalInto(t, `console.warn('careful', 1); setTimeout(function () { throw new Error('uncaught one'); }, 0); return true;`, new(bool))
	want := map[string]string{"careful 1": "warn", "Error: uncaught one": "error"}
	deadline := time.After(5 * time.Second)
	for len(want) > 0 {
		select {
		case l := <-core.logs:
			var m struct{ Level, Message string }
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatalf("log %s: %v", l, err)
			}
			for text, level := range want {
				if strings.HasSuffix(m.Message, text) && m.Level == level {
					delete(want, text)
				}
			}
		case <-deadline:
			t.Fatalf("console messages not forwarded: %v", want)
		}
	}
}
