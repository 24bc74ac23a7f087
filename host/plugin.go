package host

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wardenhq/warden/host/backend"
	"github.com/wardenhq/warden/manifest"
	"github.com/wardenhq/warden/permissions"
)

// Plugin is one loaded plugin version: its manifest, compiled backend,
// permission subject and limits. Launches of its UI share it.
type Plugin struct {
	host     *Host
	dir      string
	manifest *manifest.Manifest
	declared permissions.Declared
	env      permissions.Env
	ceiling  permissions.Ceiling
	space    dataSpace
	module   atomic.Pointer[backend.Module] // nil when the plugin has no backend
	swapMu   sync.Mutex                     // serialises ReplaceBackend and close
	closed   bool                           // under swapMu: close ran

	source bool // run from its source directory (LoadOptions.Source)

	// The user's answers: grants (what subject was compiled from) and the
	// optional permissions refused at run time (see consent.go).
	consent sync.Mutex
	grants  permissions.Grants
	denied  map[string]bool
	asking  sync.Mutex // held while the user is asked

	subject  atomic.Pointer[permissions.Subject]
	stopped  atomic.Pointer[string] // non-nil: why the plugin may not run
	rate     *bucket
	inflight gate
}

// ID returns the plugin's id.
func (p *Plugin) ID() string { return p.manifest.ID }

// Dir returns the directory the plugin was loaded from.
func (p *Plugin) Dir() string { return p.dir }

// Manifest returns the plugin's manifest. Callers must not modify it.
func (p *Plugin) Manifest() *manifest.Manifest { return p.manifest }

// DataDir returns the plugin's own data directory ($DATA):
// <profile>/data/<id>, or <profile>/dev/<id>/data when it runs from its
// source directory (LoadOptions.Source).
func (p *Plugin) DataDir() string { return p.env["$DATA"] }

// ErrAppPermission reports a plugin asking for an application permission
// ("app.<name>") that the application embedding the host does not offer:
// the plugin was made for another application.
var ErrAppPermission = errors.New("unknown application permission")

// LoadOptions say how to load a plugin.
type LoadOptions struct {
	// Grants are the user's consent records. Permissions the manifest
	// declares but Grants lacks are denied with "not_granted".
	Grants permissions.Grants
	// Denied are the optional permissions the user refused when the
	// plugin asked at run time: its requests for them are answered "no"
	// without asking again (see permissions.request).
	Denied []string
	// Wasm is the backend module; nil means read the manifest's
	// backend.wasm from the plugin directory.
	Wasm []byte
	// Ceiling adds permissions the admin blocks for this plugin to those
	// blocked for every plugin (Options.Ceiling).
	Ceiling permissions.Ceiling
	// Source says the plugin runs from its source directory (developer
	// mode): its storage, $DATA and website data are kept apart from
	// those of the installed plugin with the same id (see DataDir).
	Source bool
	// DevScopes makes the manifest's dev_scopes scopes of the plugin, as
	// warden dev wants; only with Source. Anywhere else they grant nothing.
	DevScopes bool
}

// GrantAll returns consent records for every permission m declares, stamped
// now. It is for development use (running a plugin from its own source
// directory); installs record the user's real answers.
func GrantAll(m *manifest.Manifest) permissions.Grants {
	g := permissions.Grants{}
	now := time.Now().UTC()
	// The scopes imply their permissions ("http" for http patterns), which
	// a manifest need not list.
	for _, name := range slices.Concat(m.Permissions, m.ConsentPermissions()) {
		g[name] = permissions.Grant{Permission: name, GrantedAt: now}
	}
	return g
}

// Load reads and validates the plugin in dir, compiles its backend and makes
// it ready to launch. Loading an id that is already loaded replaces it once
// the new version is ready.
func (h *Host) Load(ctx context.Context, dir string, opts LoadOptions) (*Plugin, error) {
	m, err := manifest.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", dir, err)
	}
	if opts.DevScopes && opts.Source {
		m = m.WithDevScopes()
	}
	if err := m.CheckHost(Version); err != nil {
		return nil, fmt.Errorf("load %s: %w", m.ID, err)
	}
	if err := m.CheckFiles(dir); err != nil && opts.Wasm == nil {
		return nil, fmt.Errorf("load %s: %w", m.ID, err)
	}
	declared, err := m.Declared()
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", m.ID, err)
	}
	for _, perm := range declared.Permissions {
		if _, ok := h.appPermissions[perm]; permissions.ValidAppPermission(perm) && !ok {
			return nil, fmt.Errorf("load %s: %w: %s is an application permission that this application does not offer", m.ID, ErrAppPermission, perm)
		}
	}
	space := h.dataSpace(m.ID, opts.Source)
	env, err := h.pluginEnv(space)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", m.ID, err)
	}
	p := &Plugin{
		host: h, dir: dir, manifest: m, declared: declared, env: env, space: space, source: opts.Source,
		denied:   make(map[string]bool, len(opts.Denied)),
		ceiling:  permissions.Ceiling{Blocked: slices.Concat(h.opts.Ceiling.Blocked, opts.Ceiling.Blocked)},
		rate:     newBucket(h.limits.Rate, h.limits.Burst),
		inflight: gate{max: int64(h.limits.MaxInFlight)},
	}
	for _, name := range opts.Denied {
		p.denied[name] = true
	}
	if err := p.SetGrants(opts.Grants); err != nil {
		return nil, fmt.Errorf("load %s: %w", m.ID, err)
	}
	if m.Backend != nil {
		wasm := opts.Wasm
		if wasm == nil {
			if wasm, err = os.ReadFile(filepath.Join(dir, filepath.FromSlash(m.Backend.Wasm))); err != nil {
				return nil, fmt.Errorf("load %s: backend: %w", m.ID, err)
			}
		}
		mod, err := h.compileBackend(ctx, m, wasm)
		if err != nil {
			return nil, fmt.Errorf("load %s: backend: %w", m.ID, err)
		}
		p.module.Store(mod)
	}

	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		p.close(ctx)
		return nil, ErrClosed
	}
	old := h.plugins[m.ID]
	h.plugins[m.ID] = p
	h.mu.Unlock()
	if old != nil {
		old.close(ctx)
	}
	h.log.Info("plugin loaded", "plugin", m.ID, "version", m.Version, "dir", dir)
	return p, nil
}

// SetGrants replaces the plugin's consent records. Requests decided after it
// returns see the new grants.
func (p *Plugin) SetGrants(g permissions.Grants) error {
	p.consent.Lock()
	defer p.consent.Unlock()
	return p.setGrantsLocked(maps.Clone(g))
}

// setGrantsLocked is SetGrants with p.consent held; p keeps g.
func (p *Plugin) setGrantsLocked(g permissions.Grants) error {
	s, err := permissions.Compile(p.declared, g, p.ceiling, p.env)
	if err != nil {
		return fmt.Errorf("grants: %w", err)
	}
	p.grants = g
	for name := range g {
		delete(p.denied, name)
	}
	p.subject.Store(s)
	return nil
}

// LogConsole writes a message of the plugin page's console to the core's
// log, cut to 4 KiB like the plugin's own log calls.
func (p *Plugin) LogConsole(level, message string) {
	p.host.log.Info("plugin console", "plugin", p.ID(), "level", level, "message", clip(message, maxLogMessage))
}

// Stop makes every later request of the plugin fail with reason (for
// example an admin policy change). Resume undoes it.
func (p *Plugin) Stop(reason string) { p.stopped.Store(&reason) }

// Resume lets a stopped plugin run again.
func (p *Plugin) Resume() { p.stopped.Store(nil) }

func (p *Plugin) close(ctx context.Context) error {
	reason := "unloaded"
	p.stopped.Store(&reason)
	p.swapMu.Lock()
	p.closed = true
	p.swapMu.Unlock()
	if m := p.module.Load(); m != nil {
		return m.Close(ctx)
	}
	return nil
}

// compileBackend compiles one version of m's backend with the limits of
// the manifest under the host's.
func (h *Host) compileBackend(ctx context.Context, m *manifest.Manifest, wasm []byte) (*backend.Module, error) {
	return h.engine.Compile(ctx, backend.Config{
		PluginID: m.ID,
		Version:  m.Version,
		Wasm:     wasm,
		Timeout:  min(m.BackendTimeout(), h.limits.MaxTimeout),
		MemoryMB: min(m.BackendMemoryMB(), h.limits.MaxMemoryMB),
		MaxInput: h.limits.MaxEnvelope,
		// The output is the result of a reply.
		MaxOutput: h.limits.MaxReply - replyOverhead,
		Host:      h.hostCall,
		Logger:    h.log.With("plugin", m.ID),
	})
}

// pluginEnv builds the scope roots for one plugin and makes its data dir.
func (h *Host) pluginEnv(space dataSpace) (permissions.Env, error) {
	data := space.data
	if err := os.MkdirAll(data, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	env := permissions.Env{"$DATA": data}
	defaults := map[string]string{}
	// Without a home directory the user roots are left out: their scopes
	// then match nothing rather than something relative.
	if home, err := os.UserHomeDir(); err == nil && filepath.IsAbs(home) {
		defaults = map[string]string{"$HOME": home, "$DOCUMENTS": filepath.Join(home, "Documents"), "$DOWNLOADS": filepath.Join(home, "Downloads")}
	}
	for k, v := range h.opts.Env {
		if k != "$DATA" {
			defaults[k] = v
		}
	}
	for k, v := range defaults {
		if filepath.IsAbs(v) {
			env[k] = v
		}
	}
	return env, nil
}

// unloadGrace bounds how long Unload lets a window close by itself before
// its processes are killed: an admin's block or a revoked permission must
// take effect within a second.
const unloadGrace = 300 * time.Millisecond

// Unload makes plugin id's later requests fail with reason at once, has
// every attachment release what it holds for the plugin (its window closes,
// its processes are killed if they have not exited within unloadGrace) and
// frees its backend. Unloading an id that is not loaded does nothing.
func (h *Host) Unload(ctx context.Context, id, reason string) error {
	h.mu.Lock()
	p := h.plugins[id]
	delete(h.plugins, id)
	attachments := h.attachments
	h.mu.Unlock()
	if p != nil {
		p.Stop(reason)
	}
	sctx, cancel := context.WithTimeout(ctx, unloadGrace)
	var errs []error
	for _, a := range attachments {
		errs = append(errs, a.Release(sctx, id))
	}
	cancel()
	stopErr := errors.Join(errs...)
	if p == nil {
		return stopErr
	}
	h.log.Info("plugin unloaded", "plugin", id, "reason", reason)
	return errors.Join(stopErr, p.close(ctx))
}
