package window

import (
	"context"
	"log/slog"
	"sync"
	"testing"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/host/supervise"
	"github.com/wardenhq/warden/internal/plugintest"
	"github.com/wardenhq/warden/permissions"
)

var (
	managersMu sync.Mutex
	managers   = map[*host.Host]*Manager{}
)

// exampleDir copies examples/<name> for the test, with its backend built
// once per test run outside the source tree.
func exampleDir(t testing.TB, name string) string {
	t.Helper()
	return plugintest.Example(t, name)
}

// newHost starts a core on a fresh profile, with a window manager whose
// webview processes are not restarted, and closes it with the test.
func newHost(t testing.TB, opts host.Options) *host.Host {
	t.Helper()
	if opts.Profile == "" {
		// A fresh profile shares the run's compilation cache.
		opts.Profile = t.TempDir()
		if opts.CacheDir == "" {
			opts.CacheDir = plugintest.CompileCache(t)
		}
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
