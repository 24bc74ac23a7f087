package backend

import (
	"context"
	"testing"
	"time"
)

// TestIdleInstancesReleased: a module whose calls have stopped closes its
// idle instances after IdleRelease, answers the next call with a new one,
// and keeps its instance while calls keep coming.
func TestIdleInstancesReleased(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	st := newFakeStore()
	m := compile(t, e, Config{PluginID: "dev.warden.hello", Version: "1.0.0", Wasm: helloWasm, Host: st.host, IdleRelease: 100 * time.Millisecond})
	if n := m.Idle(); n != 1 {
		t.Fatalf("%d idle instances after compile, want the first one", n)
	}
	released := func() {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for m.Idle() != 0 {
			if time.Now().After(deadline) {
				t.Fatal("the idle instance was not released")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	released()
	greet := func() {
		t.Helper()
		if out, err := m.Call(ctx, "greet", greetInput); err != nil || string(out) != `"Hello, World!"` {
			t.Fatalf("greet: %s %v", out, err)
		}
	}
	greet()
	if n := m.Idle(); n != 1 {
		t.Fatalf("%d idle instances after a call, want 1", n)
	}
	// Calls every 20 ms for 400 ms: never quiet for 100 ms.
	for range 20 {
		greet()
		if m.Idle() == 0 {
			t.Fatal("the instance of a busy module was released")
		}
		time.Sleep(20 * time.Millisecond)
	}
	released()
	greet()
}

// TestIdleReleaseOff: a negative IdleRelease keeps idle instances.
func TestIdleReleaseOff(t *testing.T) {
	m := compile(t, newEngine(t), Config{PluginID: "dev.warden.hello", Version: "1.0.0", Wasm: helloWasm, Host: newFakeStore().host, IdleRelease: -1})
	time.Sleep(200 * time.Millisecond)
	if n := m.Idle(); n != 1 {
		t.Fatalf("%d idle instances, want 1", n)
	}
}

// BenchmarkCallAfterIdle is the first call after the idle instances were
// released: it makes a new instance of the hello backend.
func BenchmarkCallAfterIdle(b *testing.B) {
	m := compile(b, newEngine(b), Config{PluginID: "dev.warden.hello", Version: "1.0.0", Wasm: helloWasm, Host: newFakeStore().host, IdleRelease: -1})
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		m.mu.Lock()
		idle := m.idle
		m.idle = nil
		m.mu.Unlock()
		for _, in := range idle {
			in.close(ctx)
		}
		b.StartTimer()
		if _, err := m.Call(ctx, "greet", greetInput); err != nil {
			b.Fatal(err)
		}
	}
}
