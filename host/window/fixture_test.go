package window

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/host/supervise"
	"github.com/wardenhq/warden/manifest"
	"github.com/wardenhq/warden/permissions"
	"github.com/wardenhq/warden/plugins/build"
)

var (
	examplesMu   sync.Mutex
	exampleWasms = map[string][]byte{}

	managersMu sync.Mutex
	managers   = map[*host.Host]*Manager{}
)

// exampleBackend builds the backend of examples/<name> from source once per
// test binary and returns the module bytes.
func exampleBackend(t testing.TB, name string) []byte {
	t.Helper()
	examplesMu.Lock()
	defer examplesMu.Unlock()
	if b, ok := exampleWasms[name]; ok {
		return b
	}
	dir := exampleDir(name)
	m, err := manifest.Load(dir)
	if err != nil {
		t.Fatalf("example %s: %v", name, err)
	}
	path, err := build.Backend(context.Background(), dir, m.Backend.Wasm)
	if err != nil {
		t.Fatalf("build %s backend: %v", name, err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	exampleWasms[name] = b
	return b
}

func exampleDir(name string) string { return filepath.Join("..", "..", "examples", name) }

// newHost starts a core on a fresh profile, with a window manager whose
// webview processes are not restarted, and closes it with the test.
func newHost(t testing.TB, opts host.Options) *host.Host {
	t.Helper()
	if opts.Profile == "" {
		opts.Profile = t.TempDir()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	h, err := host.New(context.Background(), opts)
	if err != nil {
		t.Fatalf("new host: %v", err)
	}
	m, err := NewManager(h, supervise.Policy{MaxCrashes: 1})
	if err != nil {
		t.Fatal(err)
	}
	managersMu.Lock()
	managers[h] = m
	managersMu.Unlock()
	t.Cleanup(func() {
		h.Close(context.Background())
		managersMu.Lock()
		delete(managers, h)
		managersMu.Unlock()
	})
	return h
}

// wm returns the window manager of a core made by newHost.
func wm(h *host.Host) *Manager {
	managersMu.Lock()
	defer managersMu.Unlock()
	return managers[h]
}

func grants(perms ...string) permissions.Grants {
	g := permissions.Grants{}
	for _, p := range perms {
		g[p] = permissions.Grant{Permission: p}
	}
	return g
}

func load(t testing.TB, h *host.Host, dir string, opts host.LoadOptions) *host.Plugin {
	t.Helper()
	p, err := h.Load(context.Background(), dir, opts)
	if err != nil {
		t.Fatalf("load %s: %v", dir, err)
	}
	return p
}
