package window

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/host/audit"
	"github.com/wardenhq/warden/host/ipc"
	"github.com/wardenhq/warden/internal/helperproc"
	"github.com/wardenhq/warden/isolation"
)

// fakeWebviewRole is the helper process role (see internal/helperproc) in
// which the test binary plays a webview process that speaks the core's
// protocol on fd 3 and, like the web process extension, sends envelopes on
// fd 4. Its argument is the mode.
const fakeWebviewRole = "fake-webview"

func TestMain(m *testing.M) {
	helperproc.Roles{fakeWebviewRole: func() int {
		if len(os.Args) != 2 {
			fmt.Fprintln(os.Stderr, "fake webview: want a mode")
			return 2
		}
		return runFakeWebview(os.Args[1])
	}}.Dispatch()
	os.Exit(m.Run())
}

// runFakeWebview is the fake webview process. Modes:
//
//	invoke     walks the launch switches (see TestDirectChannel); exits 3
//	           when the core answers otherwise than expected
//	bad-frame  sends a log frame on the direct channel
//	manager-call sends a manager window's request on both connections
//	no-read    floods the direct channel and never reads its replies;
//	           exits 3 unless the core closes the channel and stays up
//	die-on-eval exits without answering when asked to evaluate script
func runFakeWebview(mode string) int {
	conn := ipc.NewConn(os.NewFile(3, "ipc"), 0)
	direct := ipc.NewConn(os.NewFile(4, "direct"), 0)
	fail := func(format string, args ...any) int {
		fmt.Fprintf(os.Stderr, "fake webview: "+format+"\n", args...)
		return 3
	}
	var init ipc.Init
	var next ipc.NextLaunch
	for _, v := range []any{&init, &next} {
		f, err := conn.Recv()
		if err != nil {
			return fail("%v", err)
		}
		if err := json.Unmarshal(f.Payload, v); err != nil {
			return fail("%s frame: %v", f.Type, err)
		}
	}
	if !init.Channel {
		return fail("init without the direct channel")
	}
	// Later launches handed over, and the end of the connection.
	nexts := make(chan ipc.NextLaunch, 8)
	ended := make(chan struct{})
	// Replies to envelopes relayed on the window's own connection; dropped
	// when nobody takes them.
	replies := make(chan ipc.Frame, 1024)
	go func() {
		defer close(ended)
		for {
			f, err := conn.Recv()
			if err != nil || f.Type == ipc.TypeShutdown {
				return
			}
			if mode == "die-on-eval" && f.Type == ipc.TypeEval {
				os.Exit(3) // a crash while the core waits for the answer
			}
			var nl ipc.NextLaunch
			if f.Type == ipc.TypeNextLaunch && json.Unmarshal(f.Payload, &nl) == nil {
				nexts <- nl
			}
			if f.Type == ipc.TypeReply {
				select {
				case replies <- f:
				default:
				}
			}
		}
	}()
	conn.Send(ipc.Frame{Type: ipc.TypeReady, Payload: []byte(`{"url":"plugin://x/","launch":"` + init.LaunchID + `"}`)})
	ask := func(key []byte, launch string, seq uint64, name string) (ok bool, result string, err error) {
		env, err := isolation.Seal(isolation.Key(key), init.PluginID, launch, isolation.Request{Seq: seq, ID: seq, Cmd: "backend.greet", Args: json.RawMessage(`"` + name + `"`)})
		if err != nil {
			return false, "", err
		}
		if err := direct.Send(ipc.Frame{Type: ipc.TypeInvoke, ID: uint32(seq), Payload: env}); err != nil {
			return false, "", err
		}
		f, err := direct.Recv()
		if err != nil {
			return false, "", err
		}
		var rep struct {
			OK     bool   `json:"ok"`
			Result string `json:"result"`
		}
		if f.Type != ipc.TypeReply || json.Unmarshal(f.Payload, &rep) != nil {
			return false, "", fmt.Errorf("reply %s %s", f.Type, f.Payload)
		}
		return rep.OK, rep.Result, nil
	}
	greet := func(key []byte, launch string, seq uint64, name string) error {
		ok, res, err := ask(key, launch, seq, name)
		if err == nil && (!ok || res != "Hello, "+name+"!") {
			err = fmt.Errorf("greet %s: ok %v, result %q", name, ok, res)
		}
		return err
	}
	quiet := func(what string) error {
		select {
		case nl := <-nexts:
			return fmt.Errorf("%s: the core handed over launch %s", what, nl.LaunchID)
		case <-time.After(200 * time.Millisecond):
			return nil
		}
	}
	switch mode {
	case "invoke":
		steps := []func() error{
			// The first page.
			func() error { return greet(init.Key, init.LaunchID, 1, "first") },
			// The second page commits; the webview process says so
			// first, and the first page's last envelope comes after
			// it on the other connection: still opened, with the
			// previous launch.
			func() error {
				conn.Send(ipc.Frame{Type: ipc.TypeRelaunched, Payload: []byte(next.LaunchID)})
				return nil
			},
			func() error { return greet(init.Key, init.LaunchID, 2, "late") },
			func() error { return greet(next.Key, next.LaunchID, 1, "second") },
			// The third page: its first envelope comes before the
			// webview process says it committed. A forged one naming
			// its launch first, sealed with another key: refused, and
			// no switch.
			func() error {
				third := <-nexts
				forged := make([]byte, len(third.Key))
				if ok, _, err := ask(forged, third.LaunchID, 1, "forged"); err != nil || ok {
					return fmt.Errorf("forged envelope: ok %v, %v", ok, err)
				}
				if err := quiet("after a forged envelope"); err != nil {
					return err
				}
				if err := greet(third.Key, third.LaunchID, 1, "third"); err != nil {
					return err
				}
				// The switch handed over the fourth launch.
				select {
				case <-nexts:
				case <-time.After(5 * time.Second):
					return fmt.Errorf("no launch handed over after the switch")
				}
				// The late report of the commit changes nothing.
				conn.Send(ipc.Frame{Type: ipc.TypeRelaunched, Payload: []byte(third.LaunchID)})
				if err := quiet("after a late relaunched"); err != nil {
					return err
				}
				return greet(third.Key, third.LaunchID, 2, "fourth")
			},
		}
		for i, step := range steps {
			if err := step(); err != nil {
				return fail("step %d: %v", i, err)
			}
		}
	case "sequential":
		// WARDEN_FAKE_N storage.get invokes on the direct channel, each
		// sent once the one before has its reply.
		n, _ := strconv.Atoi(os.Getenv("WARDEN_FAKE_N"))
		for seq := uint64(1); seq <= uint64(n); seq++ {
			env, err := isolation.Seal(isolation.Key(init.Key), init.PluginID, init.LaunchID, isolation.Request{Seq: seq, ID: seq, Cmd: "storage.get", Args: json.RawMessage(`{"key":"k"}`)})
			if err != nil {
				return fail("seal: %v", err)
			}
			if err := direct.Send(ipc.Frame{Type: ipc.TypeInvoke, ID: uint32(seq), Payload: env}); err != nil {
				return fail("send: %v", err)
			}
			if f, err := direct.Recv(); err != nil || f.Type != ipc.TypeReply {
				return fail("reply %d: %v", seq, err)
			}
		}
		os.WriteFile(os.Getenv("WARDEN_FAKE_DONE"), []byte("done"), 0o644)
	case "bad-frame":
		direct.Send(ipc.Frame{Type: ipc.TypeLog, Payload: []byte(`{"level":"info","message":"hi"}`)})
	case "manager-call":
		// What a plugin's webview process, taken over, would try: a
		// request of the manager window's page, on its own connection
		// and on the direct channel.
		conn.Send(ipc.Frame{Type: ipc.TypeManagerCall, ID: 1, Payload: []byte(`{"op":"disable","id":"dev.warden.hello"}`)})
		direct.Send(ipc.Frame{Type: ipc.TypeManagerCall, ID: 2, Payload: []byte(`{"op":"list"}`)})
	case "die-on-eval":
		// The reader above exits on the first Eval.
	case "no-read":
		// Unsealed envelopes: each is refused with a reply, none read.
		go func() {
			for i := range 20000 {
				if direct.Send(ipc.Frame{Type: ipc.TypeInvoke, ID: uint32(i + 1), Payload: []byte("not sealed")}) != nil {
					return
				}
			}
		}()
		// Once the core gives up on the channel, reading drains what
		// it sent and ends.
		time.Sleep(3 * time.Second)
		for {
			if _, err := direct.Recv(); err != nil {
				break
			}
		}
		// The window's own connection is still served.
		select {
		case <-ended:
			return fail("the core ended the session")
		case <-time.After(200 * time.Millisecond):
		}
		fmt.Fprintln(os.Stderr, "fake webview: direct channel closed by the core")
		os.WriteFile(os.Getenv("WARDEN_FAKE_DONE"), []byte("closed"), 0o644)
	default:
		return runLimitsFake(mode, fakeEnv{conn: conn, direct: direct, init: init, replies: replies, ended: ended, fail: fail})
	}
	<-ended
	return 0
}

func startFakeUI(t *testing.T, h *host.Host, p *host.Plugin, mode string, env ...string) *Window {
	t.Helper()
	c := helperproc.Command(fakeWebviewRole, mode)
	// The fake opens no window, but Open wants a display named.
	env = append(env, "DISPLAY=:fake")
	ui, err := wm(h).Open(context.Background(), p, Options{
		Executable: c.Path, Args: c.Args[1:], Env: append(c.Env, env...),
		Stderr: os.Stderr,
	})
	if err != nil {
		t.Fatal(err)
	}
	return ui
}

// TestDirectChannel: envelopes on the direct channel are admitted like
// relayed ones; a page's envelope that comes after the webview process
// reported the next page is opened with the previous launch; the next
// page's first envelope switches launches before the webview process
// reports that page, but only once it has opened.
func TestDirectChannel(t *testing.T) {
	h := newHost(t, host.Options{})
	p := load(t, h, exampleDir(t, "hello"), host.LoadOptions{Grants: grants("storage")})
	ui := startFakeUI(t, h, p, "invoke")
	var es []audit.Entry
	deadline := time.Now().Add(20 * time.Second)
	for {
		if err := h.Audit().Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		var err error
		es, err = h.Audit().Query(context.Background(), audit.Filter{Plugin: p.ID(), Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(es) >= 6 || time.Now().After(deadline) {
			break
		}
		if st := wm(h).State(p.ID()); st.Stopped {
			t.Fatalf("fake webview stopped: %s", st.Reason)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(es) != 6 {
		t.Fatalf("%d audit entries, want 6: %+v", len(es), es)
	}
	launches := map[string]int{}
	denied := 0
	for _, e := range es {
		if !e.Allowed {
			if e.Reason != "tampered" {
				t.Fatalf("entry %+v: only the forged envelope may be refused", e)
			}
			denied++
			continue
		}
		if e.Cmd != "backend.greet" {
			t.Fatalf("entry %+v, want backend.greet", e)
		}
		launches[e.Launch]++
	}
	if denied != 1 || len(launches) != 3 {
		t.Fatalf("%d denied (want the forged one), allowed per launch %v (want 3 launches)", denied, launches)
	}
	if direct, relayed := ui.Invokes(); direct != 6 || relayed != 0 {
		t.Fatalf("%d direct, %d relayed; want 6 direct", direct, relayed)
	}
	if st := wm(h).State(p.ID()); st.Crashes != 0 || st.Stopped {
		t.Fatalf("state %+v: the late TypeRelaunched must be a no-op", st)
	}
}

// TestDirectChannelReaderStalls: a web process that sends and never reads
// its replies loses its direct channel after the reply timeout, and the
// window's session goes on.
func TestDirectChannelReaderStalls(t *testing.T) {
	// Restored after the host is closed (cleanups run last first).
	old := replyTimeout
	t.Cleanup(func() { replyTimeout = old })
	replyTimeout = 300 * time.Millisecond
	h := newHost(t, host.Options{})
	p := load(t, h, exampleDir(t, "hello"), host.LoadOptions{Grants: grants("storage")})
	done := filepath.Join(t.TempDir(), "done")
	startFakeUI(t, h, p, "no-read", "WARDEN_FAKE_DONE="+done)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if b, err := os.ReadFile(done); err == nil && string(b) == "closed" {
			break
		}
		if st := wm(h).State(p.ID()); st.Stopped || st.Crashes > 0 {
			t.Fatalf("fake webview: %+v", st)
		}
		if time.Now().After(deadline) {
			t.Fatal("the core did not close the direct channel of a web process that does not read")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if st := wm(h).State(p.ID()); !st.Running || st.Crashes != 0 {
		t.Fatalf("session after the direct channel closed: %+v", st)
	}
}

// TestReadersAreReused: invokes sent one after the other are read and run
// by goroutines that waited for their turn, not by a new goroutine each: a
// new goroutine's stack is grown by every request it runs.
func TestReadersAreReused(t *testing.T) {
	h := newHost(t, host.Options{})
	p := load(t, h, exampleDir(t, "hello"), host.LoadOptions{Grants: grants("storage")})
	// Goroutines started for a whole session of n invokes.
	session := func(n int) uint64 {
		done := filepath.Join(t.TempDir(), "done")
		before := goroutinesCreated()
		startFakeUI(t, h, p, "sequential", "WARDEN_FAKE_DONE="+done, "WARDEN_FAKE_N="+strconv.Itoa(n))
		deadline := time.Now().Add(30 * time.Second)
		for {
			if b, err := os.ReadFile(done); err == nil && string(b) == "done" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d invokes not answered in time", n)
			}
			time.Sleep(20 * time.Millisecond)
		}
		created := goroutinesCreated() - before
		if err := wm(h).Stop(context.Background(), p.ID()); err != nil {
			t.Fatal(err)
		}
		return created
	}
	few, many := session(10), session(410)
	t.Logf("goroutines started: %d for 10 invokes, %d for 410", few, many)
	if extra := int64(many) - int64(few); extra > 100 {
		t.Fatalf("400 more invokes started %d more goroutines (%d for 10, %d for 410)", extra, few, many)
	}
}

// goroutinesCreated is how many goroutines this process has started.
func goroutinesCreated() uint64 {
	s := []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestDirectChannelCarriesOnlyInvokes: any other frame on the direct
// channel ends the window's session as a protocol error.
func TestDirectChannelCarriesOnlyInvokes(t *testing.T) {
	h := newHost(t, host.Options{})
	p := load(t, h, exampleDir(t, "hello"), host.LoadOptions{Grants: grants("storage")})
	startFakeUI(t, h, p, "bad-frame")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := wm(h).Wait(ctx, p.ID())
	if err == nil || !strings.Contains(err.Error(), "direct channel") || !strings.Contains(err.Error(), "unexpected log frame") {
		t.Fatalf("WaitUI = %v, want the direct channel's protocol error", err)
	}
}

// TestPluginWindowCannotSendManagerRequests: a plugin's webview process
// that sends what only the manager window's process may send (a
// TypeManagerCall) ends its own session: the core's plugin windows route
// no manager request anywhere.
func TestPluginWindowCannotSendManagerRequests(t *testing.T) {
	h := newHost(t, host.Options{})
	p := load(t, h, exampleDir(t, "hello"), host.LoadOptions{Grants: grants("storage")})
	startFakeUI(t, h, p, "manager-call")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := wm(h).Wait(ctx, p.ID())
	if err == nil || !strings.Contains(err.Error(), "unexpected manager_call frame") {
		t.Fatalf("Wait = %v, want the session ended for a manager_call frame", err)
	}
}

// TestEvalFailsWhenTheProcessEnds: an Eval whose webview process dies
// before answering returns an error at once instead of waiting for its
// context (a caller without a deadline would wait forever).
func TestEvalFailsWhenTheProcessEnds(t *testing.T) {
	h := newHost(t, host.Options{})
	p := load(t, h, exampleDir(t, "hello"), host.LoadOptions{Grants: grants("storage")})
	ui := startFakeUI(t, h, p, "die-on-eval")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := ui.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err := ui.Eval(ctx, "return 1")
	if err == nil || !strings.Contains(err.Error(), "process ended") || time.Since(start) > 10*time.Second {
		t.Fatalf("Eval = %v after %v, want the process's end at once", err, time.Since(start))
	}
}
