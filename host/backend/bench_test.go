package backend

import (
	"context"
	"fmt"
	"testing"

	extism "github.com/extism/go-sdk"
)

var greetInput = []byte(`"World"`)

// BenchmarkRawExtismCall is the floor: the Extism SDK alone calling greet on one instance,
// with a minimal warden_call answering every command.
func BenchmarkRawExtismCall(b *testing.B) {
	ctx := context.Background()
	wardenCall := extism.NewHostFunctionWithStack("warden_call", func(ctx context.Context, p *extism.CurrentPlugin, stack []uint64) {
		if _, err := p.ReadBytes(stack[0]); err != nil {
			panic(err)
		}
		if _, err := p.ReadBytes(stack[1]); err != nil {
			panic(err)
		}
		off, err := p.WriteBytes([]byte(`{"ok":true,"result":{"value":"41","found":true}}`))
		if err != nil {
			panic(err)
		}
		stack[0] = off
	}, []extism.ValueType{extism.ValueTypePTR, extism.ValueTypePTR}, []extism.ValueType{extism.ValueTypePTR})
	plugin, err := extism.NewPlugin(ctx, extism.Manifest{
		Wasm:    []extism.Wasm{extism.WasmData{Data: helloWasm}},
		Timeout: 1000,
	}, extism.PluginConfig{EnableWasi: true}, []extism.HostFunction{wardenCall})
	if err != nil {
		b.Fatal(err)
	}
	defer plugin.Close(ctx)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rc, out, err := plugin.CallWithContext(ctx, "greet", greetInput)
		if err != nil || rc != 0 || string(out) != `"Hello, World!"` {
			b.Fatalf("greet: rc=%d out=%s err=%v", rc, out, err)
		}
	}
}

func benchModule(b *testing.B) *Module {
	e := newEngine(b)
	st := newFakeStore()
	return compile(b, e, Config{PluginID: "dev.warden.hello", Version: "1.0.0", Wasm: helloWasm, Host: func(ctx context.Context, c HostCall) ([]byte, error) {
		switch string(c.Command) {
		case "storage.get":
			return []byte(`{"value":"41","found":true}`), nil
		case "storage.set", "log":
			return nil, nil
		}
		return st.host(ctx, c)
	}})
}

// BenchmarkModuleCall is Module.Call of greet on the pool, one caller.
func BenchmarkModuleCall(b *testing.B) {
	m := benchModule(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		out, err := m.Call(ctx, "greet", greetInput)
		if err != nil || string(out) != `"Hello, World!"` {
			b.Fatalf("greet: %s %v", out, err)
		}
	}
}

// BenchmarkModuleCallParallel is Module.Call of greet with 2 and 8 concurrent callers
// (SetParallelism), reported as invokes/s.
func BenchmarkModuleCallParallel(b *testing.B) {
	for _, callers := range []int{2, 8} {
		b.Run(fmt.Sprintf("callers=%d", callers), func(b *testing.B) {
			m := benchModule(b)
			ctx := context.Background()
			b.ReportAllocs()
			b.SetParallelism(callers)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					out, err := m.Call(ctx, "greet", greetInput)
					if err != nil || string(out) != `"Hello, World!"` {
						b.Errorf("greet: %s %v", out, err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "invokes/s")
		})
	}
}

// BenchmarkCompileCold compiles hello with an empty cache dir each iteration.
func BenchmarkCompileCold(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		e, err := NewEngine(ctx, b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.Compile(ctx, Config{PluginID: "dev.warden.hello", Wasm: helloWasm}); err != nil {
			b.Fatal(err)
		}
		_ = e.Close(ctx)
	}
}

// BenchmarkCompileCached compiles hello with a new Engine on a warm cache dir each
// iteration.
func BenchmarkCompileCached(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	warm, err := NewEngine(ctx, dir)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := warm.Compile(ctx, Config{PluginID: "dev.warden.hello", Wasm: helloWasm}); err != nil {
		b.Fatal(err)
	}
	_ = warm.Close(ctx)
	b.ResetTimer()
	for b.Loop() {
		e, err := NewEngine(ctx, dir)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.Compile(ctx, Config{PluginID: "dev.warden.hello", Wasm: helloWasm}); err != nil {
			b.Fatal(err)
		}
		_ = e.Close(ctx)
	}
}
