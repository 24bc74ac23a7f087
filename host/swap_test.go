package host

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/host/backend"
	"github.com/wardenhq/warden/internal/plugintest"
)

// holdGate is an application capability whose call blocks until released: it
// holds a backend call in flight for as long as a test needs.
type holdGate struct {
	entered chan struct{}
	release chan struct{}
}

func newHoldGate() *holdGate {
	return &holdGate{entered: make(chan struct{}, 1), release: make(chan struct{})}
}

func (g *holdGate) capability() Capability {
	return Capability{
		Command: "app.gate.wait", Permission: "app.gate", Callers: FromBackend,
		Description: "Wait at the test's gate",
		Handle: func(ctx context.Context, _ *Call) ([]byte, error) {
			g.entered <- struct{}{}
			select {
			case <-g.release:
				return []byte(`"released"`), nil
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		},
	}
}

// writeSwapPlugin writes a plugin whose backend starts as the relay guest
// (its hostcall export forwards to the gate; it has no greet) and may be
// swapped for the stand-in backend (greet echoes, no hostcall).
func writeSwapPlugin(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	relay, err := plugintest.Backend("host/backend/testdata/misbehave")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "backend"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "backend", "b.wasm"), relay, 0o644); err != nil {
		t.Fatal(err)
	}
	m := `{"manifest_version":1,"id":"test.warden.swap","name":"Swap","version":"1.0.0","host":">=0.1.0",
	"backend":{"wasm":"backend/b.wasm","timeout_ms":20000},"commands":["hostcall","greet"],"permissions":["app.gate"]}`
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(m), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// trapOnStart is a valid module whose start function traps: it compiles,
// but no instance of it can be made.
func trapOnStart() []byte {
	return []byte{
		0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00,
		0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type 0: () -> ()
		0x03, 0x02, 0x01, 0x00, // function 0 has type 0
		0x08, 0x01, 0x00, // start: function 0
		0x0a, 0x05, 0x01, 0x03, 0x00, 0x00, 0x0b, // body: unreachable
	}
}

// TestReplaceBackend swaps a loaded plugin's backend while a call runs on
// the old one: the call finishes there, new calls reach the new module,
// and a module that fails to compile or to instantiate leaves the last
// good one in place.
func TestReplaceBackend(t *testing.T) {
	ctx := context.Background()
	g := newHoldGate()
	h := newHost(t, Options{Capabilities: []Capability{g.capability()}})
	p := load(t, h, writeSwapPlugin(t), LoadOptions{Grants: grants("app.gate")})
	c := launch(t, p)
	if r := h.Invoke(ctx, c.l, c.seal(t, "backend.greet", "x")); r.OK || replyCode(r) != CodeNoExport {
		t.Fatalf("greet before the swap: %+v, want no_such_export from the relay guest", r)
	}
	// Sealed here: the client's seq counter is not safe for concurrent use.
	held := c.seal(t, "backend.hostcall", map[string]any{"cmd": "app.gate.wait", "args": map[string]any{}})
	inflight := make(chan Reply, 1)
	go func() { inflight <- h.Invoke(ctx, c.l, held) }()
	select {
	case <-g.entered:
	case <-time.After(20 * time.Second):
		t.Fatalf("the held call never reached the gate: %+v", <-inflight)
	}

	swapped := make(chan error, 1)
	go func() { swapped <- p.ReplaceBackend(ctx, plugintest.TinyWasm()) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := h.Invoke(ctx, c.l, c.seal(t, "backend.greet", "new"))
		if r.OK {
			if string(r.Result) != `"new"` {
				t.Fatalf("greet after the swap: %s", r.Result)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("new calls never reached the new backend: %+v", r.Error)
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-swapped:
		t.Fatalf("ReplaceBackend returned (%v) before the old backend's call finished", err)
	default:
	}

	close(g.release)
	r := <-inflight
	var out struct{ Result string }
	if !r.OK || json.Unmarshal(r.Result, &out) != nil || out.Result != "released" {
		t.Fatalf("the call in flight on the old backend: %+v %s", r.Error, r.Result)
	}
	if err := <-swapped; err != nil {
		t.Fatalf("ReplaceBackend: %v", err)
	}

	for name, wasm := range map[string][]byte{"no module": []byte("not wasm"), "start traps": trapOnStart()} {
		if err := p.ReplaceBackend(ctx, wasm); err == nil {
			t.Fatalf("%s: ReplaceBackend succeeded", name)
		}
		if r := h.Invoke(ctx, c.l, c.seal(t, "backend.greet", name)); !r.OK || string(r.Result) != `"`+name+`"` {
			t.Fatalf("%s: the last good backend stopped answering: %+v %s", name, r.Error, r.Result)
		}
	}

	h.Unload(ctx, p.ID(), "test over")
	if err := p.ReplaceBackend(ctx, plugintest.TinyWasm()); !errors.Is(err, backend.ErrClosed) {
		t.Fatalf("ReplaceBackend of an unloaded plugin: %v", err)
	}
}

// TestReplaceBackendWithoutBackend refuses a swap for a plugin that has
// no backend.
func TestReplaceBackendWithoutBackend(t *testing.T) {
	h := newHost(t, Options{})
	dir := t.TempDir()
	m := `{"manifest_version":1,"id":"test.warden.nobackend","name":"None","version":"1.0.0","host":">=0.1.0","ui":{"entry":"index.html"}}`
	os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(m), 0o644)
	os.WriteFile(filepath.Join(dir, "index.html"), []byte("<p>hi"), 0o644)
	p := load(t, h, dir, LoadOptions{})
	if err := p.ReplaceBackend(context.Background(), plugintest.TinyWasm()); !errors.Is(err, ErrNoBackend) || !strings.Contains(err.Error(), "test.warden.nobackend") {
		t.Fatalf("got %v", err)
	}
}
