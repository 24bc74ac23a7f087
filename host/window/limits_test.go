package window

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/host/audit"
	"github.com/wardenhq/warden/host/ipc"
	"github.com/wardenhq/warden/host/storage"
	"github.com/wardenhq/warden/isolation"
)

// fakeEnv is what the fake webview process's limit modes work with.
type fakeEnv struct {
	conn, direct *ipc.Conn
	init         ipc.Init
	replies      chan ipc.Frame // replies that came on conn
	ended        chan struct{}
	fail         func(format string, args ...any) int
}

// fakeReply is a reply as the page sees it.
type fakeReply struct {
	OK     bool             `json:"ok"`
	Result json.RawMessage  `json:"result"`
	Error  *host.ReplyError `json:"error"`
}

func (e fakeEnv) seal(seq uint64, cmd, args string) []byte {
	env, err := isolation.Seal(isolation.Key(e.init.Key), e.init.PluginID, e.init.LaunchID, isolation.Request{Seq: seq, ID: seq, Cmd: cmd, Args: json.RawMessage(args)})
	if err != nil {
		panic(err)
	}
	return env
}

// await waits up to d for the reply to frame id, on the direct channel
// or the window's own connection.
func (e fakeEnv) await(relayed bool, id uint32, d time.Duration) (fakeReply, error) {
	got := make(chan ipc.Frame, 1)
	errc := make(chan error, 1)
	if relayed {
		go func() {
			for f := range e.replies {
				if f.ID == id {
					got <- f
					return
				}
			}
		}()
	} else {
		go func() {
			f, err := e.direct.Recv()
			if err != nil {
				errc <- err
				return
			}
			got <- f
		}()
	}
	select {
	case f := <-got:
		var r fakeReply
		if f.Type != ipc.TypeReply || f.ID != id || json.Unmarshal(f.Payload, &r) != nil {
			return r, fmt.Errorf("reply %s %d: %.200s", f.Type, f.ID, f.Payload)
		}
		return r, nil
	case err := <-errc:
		return fakeReply{}, fmt.Errorf("no reply to %d: %w", id, err)
	case <-time.After(d):
		return fakeReply{}, fmt.Errorf("no reply to %d within %v", id, d)
	}
}

// call sends env as frame id and waits for its reply.
func (e fakeEnv) call(relayed bool, id uint32, env []byte) (fakeReply, error) {
	conn := e.direct
	if relayed {
		conn = e.conn
	}
	if err := conn.Send(ipc.Frame{Type: ipc.TypeInvoke, ID: id, Payload: env}); err != nil {
		return fakeReply{}, err
	}
	return e.await(relayed, id, 10*time.Second)
}

// done reports the mode's outcome to the test through WARDEN_FAKE_DONE.
func (e fakeEnv) done(format string, args ...any) {
	os.WriteFile(os.Getenv("WARDEN_FAKE_DONE"), fmt.Appendf(nil, format, args...), 0o644)
}

// runLimitsFake runs the fake webview modes of the limit tests:
//
//	big-get   storage.get of a value over the reply limit, then a greet,
//	          on the route WARDEN_FAKE_ROUTE names (direct or relayed)
//	oversize  an envelope over the limit within a frame's maximum, a
//	          greet, then a 100 MB one, on the direct channel
//	flood     40k invokes and 1 GB of oversize frames
func runLimitsFake(mode string, e fakeEnv) int {
	switch mode {
	case "big-get":
		relayed := os.Getenv("WARDEN_FAKE_ROUTE") == "relayed"
		r, err := e.call(relayed, 1, e.seal(1, "storage.get", `{"key":"big"}`))
		if err != nil {
			e.done("storage.get: %v", err)
			break
		}
		if r.OK || r.Error == nil || r.Error.Code != host.CodeReplyTooLarge {
			e.done("storage.get: %+v %v", r, r.Error)
			break
		}
		r, err = e.call(relayed, 2, e.seal(2, "backend.greet", `"after"`))
		if err != nil || !r.OK || string(r.Result) != `"Hello, after!"` {
			e.done("greet after: %v %s %v", err, r.Result, r.Error)
			break
		}
		e.done("ok")
	case "oversize":
		e.done("%s", e.oversize())
	case "flood":
		e.done("%s", e.flood())
	default:
		return e.fail("unknown mode %q", mode)
	}
	<-e.ended
	return 0
}

// oversize is the oversize mode; it returns "ok written=N" with the bytes
// of the 100 MB frame the core let it write, or what went wrong.
func (e fakeEnv) oversize() string {
	// Over the envelope limit, within a frame's maximum: refused, skipped.
	if err := e.direct.Send(ipc.Frame{Type: ipc.TypeInvoke, ID: 100, Payload: make([]byte, 3<<20)}); err != nil {
		return err.Error()
	}
	r, err := e.await(false, 100, 10*time.Second)
	if err != nil || r.OK || r.Error.Code != host.CodeTooLarge {
		return fmt.Sprintf("3 MB envelope: %v %+v", err, r)
	}
	// The channel goes on.
	r, err = e.call(false, 1, e.seal(1, "backend.greet", `"after"`))
	if err != nil || !r.OK {
		return fmt.Sprintf("greet after the 3 MB envelope: %v %+v", err, r)
	}
	// 100 MB: the header, then the body as long as the core takes it.
	raw := os.NewFile(4, "direct-raw")
	hdr := binary.BigEndian.AppendUint32(nil, 5+100<<20)
	hdr = append(hdr, byte(ipc.TypeInvoke))
	hdr = binary.BigEndian.AppendUint32(hdr, 200)
	if _, err := raw.Write(hdr); err != nil {
		return err.Error()
	}
	var written atomic.Int64
	go func() {
		chunk := make([]byte, 64<<10)
		for written.Load() < 100<<20 {
			n, err := raw.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}()
	r, err = e.await(false, 200, 10*time.Second)
	if err != nil || r.OK || r.Error.Code != host.CodeTooLarge {
		return fmt.Sprintf("100 MB envelope: %v %+v", err, r)
	}
	time.Sleep(time.Second)
	return fmt.Sprintf("ok written=%d", written.Load())
}

// flood is the flood mode: 40k sealed invokes on the direct channel
// and 250 frames of 4 MB (1 GB) over the envelope limit, half on each
// connection, all sent as fast as the core takes them while their
// replies are read. It returns "ok" or what went wrong.
func (e fakeEnv) flood() string {
	const invokes, every, big = 40000, 160, 4 << 20
	bigPayload := make([]byte, big)
	var directReplies, relayedReplies atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			if _, err := e.direct.Recv(); err != nil {
				return
			}
			if directReplies.Add(1) == invokes+invokes/every/2 {
				return
			}
		}
	})
	wg.Go(func() {
		for range e.replies {
			if relayedReplies.Add(1) == invokes/every/2 {
				return
			}
		}
	})
	for i := 1; i <= invokes; i++ {
		if err := e.direct.Send(ipc.Frame{Type: ipc.TypeInvoke, ID: uint32(i), Payload: e.seal(uint64(i), "backend.greet", `"flood"`)}); err != nil {
			return err.Error()
		}
		if i%every == 0 {
			conn := e.direct
			if i/every%2 == 0 {
				conn = e.conn
			}
			if err := conn.Send(ipc.Frame{Type: ipc.TypeInvoke, ID: uint32(invokes + i), Payload: bigPayload}); err != nil {
				return err.Error()
			}
		}
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
		return "ok"
	case <-time.After(2 * time.Minute):
		return fmt.Sprintf("replies: %d direct, %d relayed", directReplies.Load(), relayedReplies.Load())
	}
}

// waitFake waits for the fake webview's outcome in done; the window must
// stay up meanwhile.
func waitFake(t *testing.T, h *host.Host, p *host.Plugin, done string, d time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		if b, err := os.ReadFile(done); err == nil && len(b) > 0 {
			return string(b)
		}
		if st := wm(h).State(p.ID()); st.Stopped || st.Crashes > 0 {
			t.Fatalf("webview session ended: %+v", st)
		}
		if time.Now().After(deadline) {
			t.Fatal("the fake webview reported nothing")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestOversizeReplyKeepsChannel: a plugin whose storage holds a value
// larger than an IPC frame asks for it; on both routes it gets a
// reply_too_large error (its promise settles) and its next invoke on the
// same channel is answered.
func TestOversizeReplyKeepsChannel(t *testing.T) {
	for _, route := range []string{"direct", "relayed"} {
		t.Run(route, func(t *testing.T) {
			h := newHost(t, host.Options{})
			p := load(t, h, exampleDir(t, "hello"), host.LoadOptions{Grants: grants("storage")})
			if err := h.Storage().Set(p.ID(), "big", bytes.Repeat([]byte("v"), ipc.MaxFrame+1), storage.MaxValue); err != nil {
				t.Fatal(err)
			}
			done := filepath.Join(t.TempDir(), "done")
			ui := startFakeUI(t, h, p, "big-get", "WARDEN_FAKE_DONE="+done, "WARDEN_FAKE_ROUTE="+route)
			if got := waitFake(t, h, p, done, 60*time.Second); got != "ok" {
				t.Fatalf("fake webview: %s", got)
			}
			direct, relayed := ui.Invokes()
			if route == "direct" && (direct != 2 || relayed != 0) || route == "relayed" && (direct != 0 || relayed != 2) {
				t.Fatalf("%d direct, %d relayed invokes on the %s route", direct, relayed, route)
			}
			h.Audit().Flush(context.Background())
			es, err := h.Audit().Query(context.Background(), audit.Filter{Plugin: p.ID(), Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(es) != 2 || es[1].Cmd != "storage.get" || es[1].Reason != string(host.CodeReplyTooLarge) || !es[0].Allowed {
				t.Fatalf("audit entries %+v", es)
			}
		})
	}
}

// TestOversizeEnvelopeRefusedFromHeader: an envelope over the limit is
// refused with a too_large reply from its frame's header. Within a
// frame's maximum it is skipped and the direct channel goes on; a 100 MB
// one is refused without being read (the core takes no more than its read
// buffer and the socket's) and only the direct channel closes, the window
// stays up.
func TestOversizeEnvelopeRefusedFromHeader(t *testing.T) {
	h := newHost(t, host.Options{})
	p := load(t, h, exampleDir(t, "hello"), host.LoadOptions{Grants: grants("storage")})
	done := filepath.Join(t.TempDir(), "done")
	startFakeUI(t, h, p, "oversize", "WARDEN_FAKE_DONE="+done)
	got := waitFake(t, h, p, done, 60*time.Second)
	n, err := strconv.ParseInt(strings.TrimPrefix(got, "ok written="), 10, 64)
	if err != nil {
		t.Fatalf("fake webview: %s", got)
	}
	if n > 8<<20 {
		t.Fatalf("the core took %d bytes of a refused 100 MB frame", n)
	}
	t.Logf("the core let %d bytes of the 100 MB frame be written", n)
	if st := wm(h).State(p.ID()); !st.Running || st.Crashes != 0 {
		t.Fatalf("window after the 100 MB frame: %+v", st)
	}
}

// TestFloodMemoryBound: a webview process throwing 40k invokes and 1 GB
// of oversize envelope frames at the core, on both connections, leaves the
// core's heap bounded.
func TestFloodMemoryBound(t *testing.T) {
	h := newHost(t, host.Options{})
	p := load(t, h, exampleDir(t, "hello"), host.LoadOptions{Grants: grants("storage")})
	done := filepath.Join(t.TempDir(), "done")
	// The backend's instance pool fills up under load: fill it first, so
	// that its instances' memory is not counted as the flood's.
	l, key, err := p.Launch()
	if err != nil {
		t.Fatal(err)
	}
	var envs [][]byte
	for seq := range uint64(8) {
		env, err := isolation.Seal(key, p.ID(), l.ID(), isolation.Request{Seq: seq + 1, ID: seq + 1, Cmd: "backend.greet", Args: json.RawMessage(`"warm"`)})
		if err != nil {
			t.Fatal(err)
		}
		envs = append(envs, env)
	}
	var wg sync.WaitGroup
	for _, env := range envs {
		wg.Go(func() { h.Invoke(context.Background(), l, env) })
	}
	wg.Wait()
	runtime.GC()
	base := heapInUse()
	alloc0 := heapAllocated()
	hwm0 := vmHWM(t)
	var peak, peakLive atomic.Uint64
	live0 := liveHeap()
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			if n := heapInUse(); n > peak.Load() {
				peak.Store(n)
			}
			if n := liveHeap(); n > peakLive.Load() {
				peakLive.Store(n)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	startFakeUI(t, h, p, "flood", "WARDEN_FAKE_DONE="+done)
	got := waitFake(t, h, p, done, 5*time.Minute)
	close(stop)
	<-sampled
	if got != "ok" {
		t.Fatalf("fake webview: %s", got)
	}
	growth := int64(peak.Load()) - int64(base)
	allocated := heapAllocated() - alloc0
	t.Logf("heap in use: %.1f MB before, peak %.1f MB (growth %.1f MB); live heap after GC: %.1f MB before, peak %.1f MB; %.0f MB allocated in all; VmHWM %d kB before, %d kB after",
		float64(base)/(1<<20), float64(peak.Load())/(1<<20), float64(growth)/(1<<20),
		float64(live0)/(1<<20), float64(peakLive.Load())/(1<<20),
		float64(allocated)/(1<<20), hwm0, vmHWM(t))
	// What the core keeps under the flood, and what its heap reaches
	// (the collector lets garbage grow to about the live heap again, so
	// the second bound leaves room for twice the first).
	if lg := int64(peakLive.Load()) - int64(live0); lg > 32<<20 {
		t.Fatalf("live heap grew by %d MB under the flood, bound 32 MB", lg>>20)
	}
	if growth > 96<<20 {
		t.Fatalf("heap in use grew by %d MB under the flood, bound 96 MB", growth>>20)
	}
	// Oversize frames are never allocated: reading them whole would
	// allocate their 1 GB.
	if allocated > 768<<20 {
		t.Fatalf("%d MB allocated under the flood: oversize frames were read into memory", allocated>>20)
	}
}

// liveHeap is the heap marked live by the last garbage collection.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// heapAllocated is the bytes allocated on the heap since the process
// started.
func heapAllocated() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// heapInUse reads the heap's in-use bytes (objects, live or not yet
// swept, plus fragmentation) without stopping the world.
func heapInUse() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64() + s[1].Value.Uint64()
}

// vmHWM is this process's peak resident set in kB, for the log.
func vmHWM(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	t.Fatal("no VmHWM in /proc/self/status")
	return 0
}
