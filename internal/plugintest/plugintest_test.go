package plugintest_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/wardenhq/warden/host/backend"
	"github.com/wardenhq/warden/internal/plugintest"
	"github.com/wardenhq/warden/manifest"
)

// TestTinyWasmRuns: the stand-in backend compiles, instantiates and
// answers greet with its input, on a fresh instance and on a reused one.
func TestTinyWasmRuns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, err := backend.NewEngine(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close(ctx)
	m, err := e.Compile(ctx, backend.Config{PluginID: "dev.warden.hello", Version: "1.0.0", Wasm: plugintest.TinyWasm(), PoolSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !m.HasExport("greet") {
		t.Fatal("no greet export")
	}
	for _, in := range []string{`"Ada"`, `{"a":[1,2,3]}`, ``, `"Ada"`} {
		out, err := m.Call(ctx, "greet", []byte(in))
		if err != nil || string(out) != in {
			t.Fatalf("greet(%q) = %q, %v", in, out, err)
		}
	}
	if n := len(plugintest.TinyWasm()); n > 512 {
		t.Errorf("the tiny module has %d bytes", n)
	}
}

// TestTinyIsACompletePlugin: the copy loads and has every file its
// manifest names, and nothing of the example's Go sources.
func TestTinyIsACompletePlugin(t *testing.T) {
	t.Parallel()
	dir := plugintest.Tiny(t, "hello")
	m, err := manifest.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.CheckFiles(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "backend", "main.go")); err == nil {
		t.Fatal("the copy holds the backend's Go sources")
	}
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(m.Backend.Wasm)))
	if err != nil || string(b) != string(plugintest.TinyWasm()) {
		t.Fatalf("backend %d bytes, %v", len(b), err)
	}
}

// TestSetManifestField: the copy's field changes and the rest of the
// manifest stays as it was.
func TestSetManifestField(t *testing.T) {
	t.Parallel()
	dir := plugintest.Tiny(t, "feeds")
	plugintest.SetManifestField(t, dir, "http", []string{"http://127.0.0.1:8080/*"})
	m, err := manifest.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.HTTP) != 1 || m.HTTP[0] != "http://127.0.0.1:8080/*" || m.ID != "dev.warden.feeds" || len(m.Commands) != 4 {
		t.Fatalf("manifest after the change: %+v", m)
	}
}
