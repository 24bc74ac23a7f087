package host

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/wardenhq/warden/internal/plugintest"
	"github.com/wardenhq/warden/isolation"
	"github.com/wardenhq/warden/permissions"
)

// exampleDir copies examples/<name> for the test, with its backend built
// once per test run outside the source tree.
func exampleDir(t testing.TB, name string) string {
	t.Helper()
	return plugintest.Example(t, name)
}

// helloBackend is the hello example's backend module.
func helloBackend(t testing.TB) []byte {
	t.Helper()
	b, err := plugintest.Backend("examples/hello/backend")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// probeManifest is a plugin that asks for every capability the mediator
// offers, with scopes the tests can reach.
type probeManifest struct {
	id    string
	perms []string
	http  []string
	read  []string
	write []string
	// exports are the commands other plugins may call.
	exports []string
	// optional are the optional permissions, with reasons for some.
	optional []string
	reasons  map[string]string
	// tiny gives the plugin the stand-in backend (plugintest.TinyWasm,
	// whose greet echoes its input) instead of the hello example's.
	tiny bool
}

// writeProbe writes a plugin directory for pm with the hello backend (or
// the stand-in one).
func writeProbe(t testing.TB, pm probeManifest) string {
	t.Helper()
	dir := t.TempDir()
	m := map[string]any{
		"manifest_version": 1,
		"id":               pm.id,
		"name":             "Probe",
		"version":          "1.0.0",
		"host":             ">=0.1.0 <1.0.0",
		"backend":          map[string]any{"wasm": "backend/hello.wasm", "timeout_ms": 1000},
		"commands":         []string{"greet"},
		"permissions":      pm.perms,
	}
	if len(pm.http) > 0 {
		m["http"] = pm.http
	}
	if len(pm.exports) > 0 {
		m["exports"] = pm.exports
	}
	if len(pm.optional) > 0 {
		m["optional_permissions"] = pm.optional
	}
	if len(pm.reasons) > 0 {
		m["reasons"] = pm.reasons
	}
	if len(pm.read)+len(pm.write) > 0 {
		fs := map[string]any{}
		if len(pm.read) > 0 {
			fs["read"] = pm.read
		}
		if len(pm.write) > 0 {
			fs["write"] = pm.write
		}
		m["fs"] = fs
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "backend"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	wasm := plugintest.TinyWasm()
	if !pm.tiny {
		wasm = helloBackend(t)
	}
	if err := os.WriteFile(filepath.Join(dir, "backend", "hello.wasm"), wasm, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// newHost starts a host on a fresh profile and closes it with the test.
func newHost(t testing.TB, opts Options) *Host {
	t.Helper()
	if opts.Profile == "" {
		// A fresh profile shares the run's compilation cache: a test that
		// gives its own profile gets the default, the profile's cache.
		opts.Profile = t.TempDir()
		if opts.CacheDir == "" {
			opts.CacheDir = plugintest.CompileCache(t)
		}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	h, err := New(context.Background(), opts)
	if err != nil {
		t.Fatalf("new host: %v", err)
	}
	t.Cleanup(func() { h.Close(context.Background()) })
	return h
}

// client seals requests for one launch the way the isolation frame does.
type client struct {
	l   *Launch
	key isolation.Key
	seq uint64
}

func launch(t testing.TB, p *Plugin) *client {
	t.Helper()
	l, key, err := p.Launch()
	if err != nil {
		t.Fatal(err)
	}
	return &client{l: l, key: key}
}

// seal makes the next envelope of this launch.
func (c *client) seal(t testing.TB, cmd string, args any) []byte {
	t.Helper()
	c.seq++
	var raw json.RawMessage
	if args != nil {
		b, err := json.Marshal(args)
		if err != nil {
			t.Fatal(err)
		}
		raw = b
	}
	env, err := isolation.Seal(c.key, c.l.plugin.ID(), c.l.ID(), isolation.Request{Seq: c.seq, ID: c.seq, Cmd: cmd, Args: raw})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func grants(perms ...string) permissions.Grants {
	g := permissions.Grants{}
	for _, p := range perms {
		g[p] = permissions.Grant{Permission: p}
	}
	return g
}

func load(t testing.TB, h *Host, dir string, opts LoadOptions) *Plugin {
	t.Helper()
	p, err := h.Load(context.Background(), dir, opts)
	if err != nil {
		t.Fatalf("load %s: %v", dir, err)
	}
	return p
}

func ceiling(blocked ...string) permissions.Ceiling { return permissions.Ceiling{Blocked: blocked} }
