package warden

import (
	"context"
	"fmt"
	"slices"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/host/window"
	"github.com/wardenhq/warden/manifest"
	"github.com/wardenhq/warden/permissions"
	"github.com/wardenhq/warden/plugins/policy"
)

// A plugin under development runs from its source directory rather than
// from the store of installed plugins: with every permission it declares
// granted, under the admin policy's ceiling, and only where the policy
// allows running from source (developer mode).

// CheckSource reads the manifest of the plugin in dir, checks that pol
// lets it run from a source directory (developer mode, then the plugin's
// id, version and permissions: policy.CheckSource), and only then builds
// its Go backend when its sources are newer than its .wasm. Every way of
// running a plugin from a directory goes through here.
func CheckSource(ctx context.Context, pol *policy.Policy, dir string) (*manifest.Manifest, error) {
	return checkSource(ctx, pol, dir, false)
}

// checkSource is CheckSource; with dev the manifest's dev_scopes count as
// scopes (warden dev), and the policy judges them too.
func checkSource(ctx context.Context, pol *policy.Policy, dir string, dev bool) (*manifest.Manifest, error) {
	m, err := loadManifest(dir, dev)
	if err != nil {
		return nil, err
	}
	if d := pol.CheckSource(sourceCandidate(m)); !d.Allowed {
		return nil, fmt.Errorf("run %s from %s: %w", m.ID, dir, d.Err())
	}
	built, err := BuildSource(ctx, dir)
	if err != nil {
		return nil, err
	}
	if dev {
		built = built.WithDevScopes()
	}
	if err := sameSource(m, built); err != nil {
		return nil, err
	}
	return m, nil
}

// loadManifest reads the manifest in dir, with its dev_scopes made scopes
// when dev.
func loadManifest(dir string, dev bool) (*manifest.Manifest, error) {
	m, err := manifest.Load(dir)
	if err != nil || !dev {
		return m, err
	}
	return m.WithDevScopes(), nil
}

// LoadSource loads the plugin in dir into the core once CheckSource allows
// it under the policy in force, with grants (nil: every permission the
// manifest declares) and the policy's ceiling. Its data (storage, $DATA,
// website data) is its own, apart from the installed plugin with the same
// id: see host.LoadOptions.Source.
func (w *Warden) LoadSource(ctx context.Context, dir string, grants permissions.Grants) (*host.Plugin, error) {
	return w.loadSource(ctx, dir, grants, false)
}

// loadSource is LoadSource; with dev the manifest's dev_scopes are scopes
// of the loaded plugin (warden dev), and nowhere else.
func (w *Warden) loadSource(ctx context.Context, dir string, grants permissions.Grants, dev bool) (*host.Plugin, error) {
	pol := w.Policy()
	m, err := checkSource(ctx, pol, dir, dev)
	if err != nil {
		return nil, err
	}
	if grants == nil {
		grants = host.GrantAll(m)
	}
	p, err := w.core.Load(ctx, dir, host.LoadOptions{Grants: grants, Ceiling: pol.PermissionCeiling(), Source: true, DevScopes: dev})
	if err != nil {
		return nil, err
	}
	if err := sameSource(m, p.Manifest()); err != nil {
		w.core.Unload(ctx, p.ID(), "its manifest changed while it was loaded")
		return nil, err
	}
	return p, nil
}

// OpenWindow opens p's window with opts (nil: Config.Window), the
// isolation hooks and the policy's network rules. It returns once the
// webview process started; Window.WaitReady waits for the page. When the
// policy's isolation hooks cannot be used it opens nothing, audits the
// refusal and returns why.
func (w *Warden) OpenWindow(ctx context.Context, p *host.Plugin, opts *window.Options) (*window.Window, error) {
	o := w.window
	if opts != nil {
		o = *opts
	}
	o, err := w.windowOptions(o)
	if err != nil {
		w.refuseForHook(p.ID(), err)
		return nil, fmt.Errorf("open %s: %w", p.ID(), err)
	}
	return w.windows.Open(ctx, p, o)
}

// sameSource refuses a manifest that changed between the policy's check
// and the load (the backend build takes seconds): the plugin would run as
// something the policy never saw.
func sameSource(checked, loaded *manifest.Manifest) error {
	a, b := sourceCandidate(checked), sourceCandidate(loaded)
	if a.ID != b.ID || a.Version != b.Version || !slices.Equal(a.Permissions, b.Permissions) {
		return fmt.Errorf("run %s: its manifest changed while it was being loaded; run the command again", checked.ID)
	}
	return nil
}

// sourceCandidate describes a manifest on disk to the policy: every
// permission it may use, as for an install, and no signature.
func sourceCandidate(m *manifest.Manifest) policy.Candidate {
	perms := slices.Concat(m.ConsentPermissions(), m.OptionalPermissions)
	for _, c := range m.Commands {
		perms = append(perms, permissions.BackendPrefix+c)
	}
	return policy.Candidate{ID: m.ID, Version: m.Version, Permissions: perms}
}

// BuildSource reads the manifest of the plugin in dir and builds its Go
// backend when the sources are newer than the .wasm. It does not consult a
// policy: tests use it to set up a plugin they run themselves.
func BuildSource(ctx context.Context, dir string) (*manifest.Manifest, error) {
	m, err := manifest.Load(dir)
	if err != nil {
		return nil, err
	}
	if m.Backend != nil {
		if _, err := buildBackend(ctx, dir, m); err != nil {
			return nil, fmt.Errorf("%s: %w", m.ID, err)
		}
	}
	return m, nil
}
