package backend

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/plugintest"
)

func TestMisbehavingGuest(t *testing.T) {
	e := newEngine(t)
	// No subtest runs into the timeout; it also bounds making a fresh
	// instance after a trap, which on a loaded machine under -race takes
	// hundreds of milliseconds.
	m := compile(t, e, Config{PluginID: "dev.warden.misbehave", Version: "1.0.0", Wasm: misbehaveWasm,
		Timeout: 5 * time.Second, MemoryMB: 48, MaxInput: 64})
	ctx := context.Background()

	t.Run("echo", func(t *testing.T) {
		out, err := m.Call(ctx, "echo", []byte("hello, echo"))
		if err != nil || string(out) != "hello, echo" {
			t.Fatalf("echo = %q, %v", out, err)
		}
	})
	t.Run("fail", func(t *testing.T) {
		_, err := m.Call(ctx, "fail", nil)
		var ge *GuestError
		if !errors.As(err, &ge) || ge.Message != "deliberate failure" {
			t.Fatalf("fail: %v, want GuestError %q", err, "deliberate failure")
		}
	})
	t.Run("panic", func(t *testing.T) {
		_, err := m.Call(ctx, "panic", nil)
		if !errors.Is(err, ErrTrap) {
			t.Fatalf("panic: %v, want ErrTrap", err)
		}
		if !strings.Contains(err.Error(), "deliberate panic") {
			t.Errorf("panic error %q does not carry the guest's message", err)
		}
		out, err := m.Call(ctx, "echo", []byte("after panic"))
		if err != nil || string(out) != "after panic" {
			t.Fatalf("echo after panic = %q, %v", out, err)
		}
	})
	t.Run("alloc", func(t *testing.T) {
		// Growing memory copies it, which is slow under -race on a loaded machine (15 s
		// seen): a generous timeout keeps this about the limit, not the clock.
		m := compile(t, e, Config{PluginID: "dev.warden.hog", Wasm: misbehaveWasm, Timeout: time.Minute, MemoryMB: 48})
		_, err := m.Call(ctx, "alloc", nil)
		if !errors.Is(err, ErrMemoryLimit) || !errors.Is(err, ErrTrap) {
			t.Fatalf("alloc: %v, want ErrMemoryLimit and ErrTrap", err)
		}
		if _, err := m.Call(ctx, "echo", []byte("x")); err != nil {
			t.Fatalf("echo after alloc: %v", err)
		}
	})
	t.Run("oversize input", func(t *testing.T) {
		_, err := m.Call(ctx, "echo", bytes.Repeat([]byte("a"), 65))
		if !errors.Is(err, ErrInputTooLarge) {
			t.Fatalf("oversize: %v, want ErrInputTooLarge", err)
		}
	})
	t.Run("no export", func(t *testing.T) {
		for _, name := range []string{"nope", "_initialize"} {
			if _, err := m.Call(ctx, name, nil); !errors.Is(err, ErrNoExport) {
				t.Errorf("%s: %v, want ErrNoExport", name, err)
			}
		}
		if !m.HasExport("echo") || m.HasExport("nope") {
			t.Error("HasExport disagrees with the module's exports")
		}
	})
	t.Run("no host", func(t *testing.T) {
		out, err := m.Call(ctx, "hostcall", []byte(`{"cmd":"storage.get","args":{"key":"k"}}`))
		if err != nil || !strings.Contains(string(out), `"code":"unavailable"`) {
			t.Fatalf("hostcall without HostFunc = %s, %v", out, err)
		}
	})
}

func TestLoopTimesOutWhileOthersAnswer(t *testing.T) {
	e := newEngine(t)
	// The bound below only tells "ended by the timeout" from "never ends"
	// (a guest loop without one runs until the test's own deadline); it is
	// loose because a loaded 2-core CI machine ran 1.16 s against 2x.
	const timeout = 500 * time.Millisecond
	looper := compile(t, e, Config{PluginID: "dev.warden.looper", Wasm: misbehaveWasm, Timeout: timeout})
	other := compile(t, e, Config{PluginID: "dev.warden.other", Wasm: misbehaveWasm, Timeout: timeout})
	ctx := context.Background()

	done := make(chan error, 1)
	start := time.Now()
	go func() {
		_, err := looper.Call(ctx, "loop", nil)
		done <- err
	}()
	answered := 0
	for {
		select {
		case err := <-done:
			elapsed := time.Since(start)
			if !errors.Is(err, ErrTimeout) {
				t.Fatalf("loop: %v, want ErrTimeout", err)
			}
			if elapsed > 10*timeout {
				t.Fatalf("loop returned after %v, want < %v", elapsed, 10*timeout)
			}
			if answered == 0 {
				t.Fatal("the other module answered no call while the loop ran")
			}
			if _, err := looper.Call(ctx, "echo", []byte("x")); err != nil {
				t.Fatalf("echo after timeout: %v", err)
			}
			return
		default:
		}
		if out, err := other.Call(ctx, "echo", []byte("ping")); err != nil || string(out) != "ping" {
			t.Fatalf("other module: %q, %v", out, err)
		}
		answered++
	}
}

func TestCallerContext(t *testing.T) {
	e := newEngine(t)
	// The module's own timeout is far above the caller's deadlines, and
	// short: the busy loop below spins a core until it ends.
	m := compile(t, e, Config{PluginID: "dev.warden.ctx", Wasm: misbehaveWasm, Timeout: time.Second, PoolSize: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := m.Call(ctx, "loop", nil)
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrTimeout) {
		t.Fatalf("loop with caller deadline: %v, want the caller's DeadlineExceeded", err)
	}
	if time.Since(start) > time.Second {
		t.Fatalf("caller deadline ignored: %v", time.Since(start))
	}
	// With the only instance busy, a waiting caller gives up with its own ctx.
	busy := make(chan struct{})
	go func() {
		defer close(busy)
		_, _ = m.Call(context.Background(), "loop", nil)
	}()
	time.Sleep(50 * time.Millisecond)
	wctx, wcancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer wcancel()
	if _, err := m.Call(wctx, "echo", nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiting for an instance: %v, want DeadlineExceeded", err)
	}
	_ = m.Close(context.Background())
	<-busy
}

func TestHostCall(t *testing.T) {
	e := newEngine(t)
	st := newFakeStore()
	st.data["k"] = "v"
	st.deny["storage.delete"] = true
	type key struct{}
	var seenCtx any
	m := compile(t, e, Config{PluginID: "dev.warden.caller", Wasm: misbehaveWasm,
		Host: func(ctx context.Context, c HostCall) ([]byte, error) {
			seenCtx = ctx.Value(key{})
			return st.host(ctx, c)
		}})
	ctx := context.WithValue(context.Background(), key{}, "request-7")

	tests := []struct {
		name, input, want string
	}{
		{"get", `{"cmd":"storage.get","args":{"key":"k"}}`, `{"result":{"found":true,"value":"v"}}`},
		{"denied", `{"cmd":"storage.delete","args":{"key":"k"}}`, `{"code":"denied","message":"permission storage not granted"}`},
		{"plain error", `{"cmd":"nope","args":{}}`, `{"code":"error","message":"unknown command nope"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := m.Call(ctx, "hostcall", []byte(tc.input))
			if err != nil || string(out) != tc.want {
				t.Fatalf("hostcall = %s, %v; want %s", out, err, tc.want)
			}
		})
	}
	first := st.calls[0]
	if first.pluginID != "dev.warden.caller" || first.cmd != "storage.get" || first.args != `{"key":"k"}` {
		t.Errorf("HostFunc saw %+v", first)
	}
	if seenCtx != "request-7" {
		t.Errorf("HostFunc ctx value = %v, want the caller's", seenCtx)
	}
}

// TestHostCallOrigin: the origin given to CallFrom reaches every host call
// the guest makes during that call, and only those.
func TestHostCallOrigin(t *testing.T) {
	e := newEngine(t)
	st := newFakeStore()
	st.data["k"] = "v"
	var mu sync.Mutex
	var seen []any
	m := compile(t, e, Config{PluginID: "dev.warden.origin", Wasm: misbehaveWasm, PoolSize: 1,
		Host: func(ctx context.Context, c HostCall) ([]byte, error) {
			mu.Lock()
			seen = append(seen, c.Origin)
			mu.Unlock()
			return st.host(ctx, c)
		}})
	in := []byte(`{"cmd":"storage.get","args":{"key":"k"}}`)
	type launch struct{ id string }
	first := &launch{"first"}
	if _, err := m.CallFrom(context.Background(), first, "hostcall", in); err != nil {
		t.Fatal(err)
	}
	// The same pooled instance, with no origin this time.
	if _, err := m.Call(context.Background(), "hostcall", in); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || seen[0] != first || seen[1] != nil {
		t.Fatalf("origins seen by the host calls: %v, want [%v <nil>]", seen, first)
	}
}

func TestSettings(t *testing.T) {
	e := newEngine(t)
	m := compile(t, e, Config{PluginID: "dev.warden.cfg", Wasm: misbehaveWasm, Settings: map[string]string{"greeting": "hi"}})
	for key, want := range map[string]string{"greeting": `"hi"`, "missing": "null"} {
		out, err := m.Call(context.Background(), "config", []byte(`"`+key+`"`))
		if err != nil || string(out) != want {
			t.Errorf("config %s = %s, %v; want %s", key, out, err, want)
		}
	}
}

func TestClosed(t *testing.T) {
	e := newEngine(t)
	m := compile(t, e, Config{PluginID: "dev.warden.closed", Wasm: misbehaveWasm})
	if err := m.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Call(context.Background(), "echo", nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("call after Close: %v, want ErrClosed", err)
	}
	m2 := compile(t, e, Config{PluginID: "dev.warden.closed2", Wasm: misbehaveWasm})
	if err := e.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := m2.Call(context.Background(), "echo", nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("call after engine Close: %v, want ErrClosed", err)
	}
	if _, err := e.Compile(context.Background(), Config{PluginID: "x", Wasm: misbehaveWasm}); err == nil {
		t.Fatal("Compile on a closed engine succeeded")
	}
}

func TestConcurrentCalls(t *testing.T) {
	e := newEngine(t)
	m := compile(t, e, Config{PluginID: "dev.warden.conc", Wasm: misbehaveWasm, PoolSize: 3})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 10 {
				in := []byte(strings.Repeat(string(rune('a'+g)), i+1))
				out, err := m.Call(context.Background(), "echo", in)
				if err != nil || !bytes.Equal(out, in) {
					errs <- errors.Join(err, errors.New("echo mismatch: "+string(out)))
					return
				}
				if i == 5 && g%4 == 0 {
					if _, err := m.Call(context.Background(), "panic", nil); !errors.Is(err, ErrTrap) {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	m.mu.Lock()
	idle := len(m.idle)
	m.mu.Unlock()
	if idle > 3 {
		t.Errorf("%d idle instances, pool size 3", idle)
	}
}

func TestCompilationCacheDir(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	compileIn := func() {
		e, err := NewEngine(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close(ctx)
		// The stand-in module (its greet echoes): what is cached does not
		// depend on the module, and a Go guest's cold compile takes many
		// seconds under the race detector.
		m, err := e.Compile(ctx, Config{PluginID: "dev.warden.cache", Wasm: plugintest.TinyWasm()})
		if err != nil {
			t.Fatal(err)
		}
		if out, err := m.Call(ctx, "greet", []byte("cached")); err != nil || string(out) != "cached" {
			t.Fatalf("greet = %q, %v", out, err)
		}
	}
	compileIn()
	cold := cacheFiles(t, dir)
	if len(cold) == 0 {
		t.Fatal("cache dir empty after compile")
	}
	compileIn()
	// A cache hit only reads: the second engine wrote no file and changed none.
	if warm := cacheFiles(t, dir); !maps.Equal(cold, warm) {
		t.Fatalf("cache changed on the second compile:\ncold %v\nwarm %v", cold, warm)
	}
}

// cacheFiles maps every file under dir to its size and modification time.
func cacheFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		out[path] = fmt.Sprint(info.Size(), info.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPathsAgree runs greet and a host call on the direct path and on the
// SDK's CallWithContext.
func TestPathsAgree(t *testing.T) {
	if !fastPathAvailable {
		t.Fatal("the direct call path is unavailable with this Extism SDK")
	}
	for _, sdk := range []bool{false, true} {
		forceSDKPath = sdk
		e := newEngine(t)
		st := newFakeStore()
		m := compile(t, e, Config{PluginID: "dev.warden.hello", Wasm: helloWasm, Host: st.host})
		relay := compile(t, e, Config{PluginID: "dev.warden.relay", Wasm: misbehaveWasm, Host: st.host})
		forceSDKPath = false
		if m.fast == sdk {
			t.Fatalf("sdk=%v but module fast=%v", sdk, m.fast)
		}
		for i := 1; i <= 3; i++ {
			out, err := m.Call(context.Background(), "greet", []byte(`"Ada"`))
			if err != nil || string(out) != `"Hello, Ada!"` {
				t.Fatalf("sdk=%v greet = %s, %v", sdk, out, err)
			}
		}
		_, err := m.Call(context.Background(), "greet", []byte(`""`))
		var ge *GuestError
		if !errors.As(err, &ge) || ge.Message != "name must not be empty" {
			t.Fatalf("sdk=%v empty name: %v", sdk, err)
		}
		for i := 1; i <= 3; i++ {
			in := fmt.Sprintf(`{"cmd":"storage.set","args":{"key":"n","value":"%d"}}`, i)
			if _, err := relay.Call(context.Background(), "hostcall", []byte(in)); err != nil {
				t.Fatalf("sdk=%v hostcall: %v", sdk, err)
			}
		}
		if got := st.get("n"); got != "3" {
			t.Errorf("sdk=%v stored n = %q, want 3", sdk, got)
		}
	}
}

func TestExamples(t *testing.T) {
	e := newEngine(t)
	ctx := context.Background()

	t.Run("hello", func(t *testing.T) {
		st := newFakeStore()
		m := compile(t, e, Config{PluginID: "dev.warden.hello", Wasm: helloWasm, Host: st.host})
		for _, name := range []string{"World", "Grace", "Zoë"} {
			in, _ := json.Marshal(name)
			out, err := m.Call(ctx, "greet", in)
			if err != nil || string(out) != `"Hello, `+name+`!"` {
				t.Fatalf("greet %s = %s, %v", name, out, err)
			}
		}
		_, err := m.Call(ctx, "greet", []byte(`""`))
		var ge *GuestError
		if !errors.As(err, &ge) || ge.Message != "name must not be empty" {
			t.Errorf("greet of an empty name: %v", err)
		}
		if len(st.calls) != 0 {
			t.Errorf("greet made host calls: %+v", st.calls)
		}
	})

	t.Run("notes", func(t *testing.T) {
		st := newFakeStore()
		m := compile(t, e, Config{PluginID: "dev.warden.notes", Wasm: notesWasm, Host: st.host})
		type note struct {
			ID, Text string
			Created  int64
		}
		var saved []note
		for _, text := range []string{"first", "second"} {
			in, _ := json.Marshal(map[string]string{"text": text})
			out, err := m.Call(ctx, "save", in)
			if err != nil {
				t.Fatalf("save: %v", err)
			}
			var n note
			if err := json.Unmarshal(out, &n); err != nil || n.ID == "" || n.Text != text {
				t.Fatalf("save returned %s (%v)", out, err)
			}
			if st.get("note/"+n.ID) == "" {
				t.Fatalf("note %s not stored under note/<id>", n.ID)
			}
			saved = append(saved, n)
			time.Sleep(2 * time.Millisecond)
		}
		if _, err := m.Call(ctx, "save", []byte(`{"text":"  "}`)); err == nil {
			t.Error("empty note saved")
		}
		out, err := m.Call(ctx, "list", []byte(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		var listed []note
		if err := json.Unmarshal(out, &listed); err != nil || len(listed) != 2 || listed[0].Text != "second" {
			t.Fatalf("list = %s (%v), want 2 notes newest first", out, err)
		}
		in, _ := json.Marshal(saved[0].ID)
		if _, err := m.Call(ctx, "remove", in); err != nil {
			t.Fatal(err)
		}
		out, _ = m.Call(ctx, "list", []byte(`{}`))
		if err := json.Unmarshal(out, &listed); err != nil || len(listed) != 1 || listed[0].ID != saved[1].ID {
			t.Fatalf("list after remove = %s", out)
		}
	})
}
