package host

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/host/audit"
	"github.com/wardenhq/warden/host/ipc"
	"github.com/wardenhq/warden/host/supervise"
	"github.com/wardenhq/warden/isolation"
)

// fakeWebviewEnv makes the test binary play a webview process (helper
// process pattern) that speaks the core's protocol on fd 3 and, like the
// web process extension, sends envelopes on fd 4.
const fakeWebviewEnv = "WARDEN_HOST_FAKE_WEBVIEW"

func TestMain(m *testing.M) {
	if mode := os.Getenv(fakeWebviewEnv); mode != "" {
		os.Exit(runFakeWebview(mode))
	}
	os.Exit(m.Run())
}

// runFakeWebview is the fake webview process. Modes:
//
//	invoke     greets once with the first launch, once with the launch
//	           handed over for the next page before saying it relaunched,
//	           then says so (late) and greets again; exits 3 on a reply
//	           that is not ok
//	bad-frame  sends a log frame on the direct channel
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
	conn.Send(ipc.Frame{Type: ipc.TypeReady, Payload: []byte(`{"url":"plugin://x/"}`)})
	greet := func(key []byte, launch string, seq uint64, name string) error {
		env, err := isolation.Seal(isolation.Key(key), init.PluginID, launch, isolation.Request{Seq: seq, ID: seq, Cmd: "backend.greet", Args: json.RawMessage(`"` + name + `"`)})
		if err != nil {
			return err
		}
		if err := direct.Send(ipc.Frame{Type: ipc.TypeInvoke, ID: uint32(seq), Payload: env}); err != nil {
			return err
		}
		f, err := direct.Recv()
		if err != nil {
			return err
		}
		var rep struct {
			OK     bool   `json:"ok"`
			Result string `json:"result"`
		}
		if f.Type != ipc.TypeReply || json.Unmarshal(f.Payload, &rep) != nil || !rep.OK || rep.Result != "Hello, "+name+"!" {
			return fmt.Errorf("greet %s: reply %s %s", name, f.Type, f.Payload)
		}
		return nil
	}
	switch mode {
	case "invoke":
		if err := greet(init.Key, init.LaunchID, 1, "first"); err != nil {
			return fail("%v", err)
		}
		// The next page's first envelope comes before its TypeRelaunched.
		if err := greet(next.Key, next.LaunchID, 1, "second"); err != nil {
			return fail("%v", err)
		}
		conn.Send(ipc.Frame{Type: ipc.TypeRelaunched, Payload: []byte(next.LaunchID)})
		if err := greet(next.Key, next.LaunchID, 2, "third"); err != nil {
			return fail("%v", err)
		}
	case "bad-frame":
		direct.Send(ipc.Frame{Type: ipc.TypeLog, Payload: []byte(`{"level":"info","message":"hi"}`)})
	default:
		return fail("unknown mode %q", mode)
	}
	for {
		f, err := conn.Recv()
		if err != nil || f.Type == ipc.TypeShutdown {
			return 0
		}
	}
}

func startFakeUI(t *testing.T, h *Host, p *Plugin, mode string) *UI {
	t.Helper()
	ui, err := h.StartUI(context.Background(), p, UIOptions{
		Executable: os.Args[0], Args: []string{"-test.run=^$"},
		Env:    append(os.Environ(), fakeWebviewEnv+"="+mode),
		Stderr: os.Stderr, Policy: supervise.Policy{MaxCrashes: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	return ui
}

// TestDirectChannel: envelopes on the direct channel are admitted like
// relayed ones, and the next page's first envelope switches launches even
// before the webview process reports the new page.
func TestDirectChannel(t *testing.T) {
	h := newHost(t, Options{})
	exampleBackend(t, "hello")
	p := load(t, h, exampleDir("hello"), LoadOptions{Grants: grants("storage")})
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
		if len(es) >= 3 || time.Now().After(deadline) {
			break
		}
		if st := h.UIState(p.ID()); st.Stopped {
			t.Fatalf("fake webview stopped: %s", st.Reason)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(es) != 3 {
		t.Fatalf("%d audit entries, want 3: %+v", len(es), es)
	}
	launches := map[string]int{}
	for _, e := range es {
		if !e.Allowed || e.Cmd != "backend.greet" {
			t.Fatalf("entry %+v, want an allowed backend.greet", e)
		}
		launches[e.Launch]++
	}
	if len(launches) != 2 {
		t.Fatalf("launches %v, want the first and the next page's", launches)
	}
	if direct, relayed := ui.Invokes(); direct != 3 || relayed != 0 {
		t.Fatalf("%d direct, %d relayed; want 3 direct", direct, relayed)
	}
	if st := h.UIState(p.ID()); st.Crashes != 0 || st.Stopped {
		t.Fatalf("state %+v: the late TypeRelaunched must be a no-op", st)
	}
}

// TestDirectChannelCarriesOnlyInvokes: any other frame on the direct
// channel ends the window's session as a protocol error.
func TestDirectChannelCarriesOnlyInvokes(t *testing.T) {
	h := newHost(t, Options{})
	exampleBackend(t, "hello")
	p := load(t, h, exampleDir("hello"), LoadOptions{Grants: grants("storage")})
	startFakeUI(t, h, p, "bad-frame")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := h.WaitUI(ctx, p.ID())
	if err == nil || !strings.Contains(err.Error(), "direct channel") || !strings.Contains(err.Error(), "unexpected log frame") {
		t.Fatalf("WaitUI = %v, want the direct channel's protocol error", err)
	}
}
