package host

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"go.etcd.io/bbolt"

	"github.com/wardenhq/warden/host/backend"
	"github.com/wardenhq/warden/manifest"
)

// DB returns the profile's state database, for packages that keep their
// own buckets in it (the installed-plugin store). Callers must not close it.
func (h *Host) DB() *bbolt.DB { return h.db }

// Profile returns the profile directory.
func (h *Host) Profile() string { return h.opts.Profile }

// Precompile compiles the backend of the plugin in dir into the
// compilation cache and discards the result, so that the plugin's first
// start loads machine code from disk instead of compiling (about 1.5 s
// for a small Go backend). Plugins without a backend cost nothing.
func (h *Host) Precompile(ctx context.Context, dir string) error {
	m, err := manifest.Load(dir)
	if err != nil {
		return fmt.Errorf("precompile %s: %w", dir, err)
	}
	if m.Backend == nil {
		return nil
	}
	wasm, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(m.Backend.Wasm)))
	if err != nil {
		return fmt.Errorf("precompile %s: %w", m.ID, err)
	}
	mod, err := h.engine.Compile(ctx, backend.Config{
		PluginID: m.ID, Version: m.Version, Wasm: wasm, PoolSize: 1,
		Timeout: min(m.BackendTimeout(), h.limits.MaxTimeout), MemoryMB: min(m.BackendMemoryMB(), h.limits.MaxMemoryMB),
		Logger: h.log.With("plugin", m.ID),
	})
	if err != nil {
		return fmt.Errorf("precompile %s: %w", m.ID, err)
	}
	return mod.Close(ctx)
}

// PurgeData deletes everything plugin id stored: its storage keys, its
// $DATA directory and its website data (localStorage, caches). The plugin
// must not be running.
func (h *Host) PurgeData(id string) error {
	if !manifest.ValidID(id) {
		return fmt.Errorf("purge %q: not a plugin id", id)
	}
	if h.Plugin(id) != nil {
		return fmt.Errorf("purge %s: the plugin is loaded; unload it first", id)
	}
	errs := []error{h.store.Purge(id)}
	space := h.dataSpace(id, false)
	for _, dir := range []string{space.data, space.web} {
		errs = append(errs, os.RemoveAll(dir))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("purge %s: %w", id, err)
	}
	return nil
}
