package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/wardenhq/warden/manifest"
	"github.com/wardenhq/warden/permissions"
	"github.com/wardenhq/warden/plugins/build"
	"github.com/wardenhq/warden/plugins/policy"
)

// openSource reads the manifest of the plugin in dir, checks that the
// policy lets it run from a source directory (developer mode, then the
// plugin's id, version and permissions: policy.CheckSource), and only then
// builds its backend (see loadSource). Every command that runs a plugin from
// a directory rather than from the store goes through here.
func openSource(ctx context.Context, pol *policy.Policy, dir string) (*manifest.Manifest, error) {
	m, err := manifest.Load(dir)
	if err != nil {
		return nil, err
	}
	if d := pol.CheckSource(sourceCandidate(m)); !d.Allowed {
		return nil, fmt.Errorf("run %s from %s: %w", m.ID, dir, d.Err())
	}
	built, err := loadSource(ctx, dir)
	if err != nil {
		return nil, err
	}
	if err := sameSource(m, built); err != nil {
		return nil, err
	}
	return m, nil
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

// loadSource reads the manifest of the plugin in dir and builds its Go
// backend when the sources are newer than the .wasm. It does not consult
// the policy: commands use openSource, and tests use this to set up a
// plugin they run themselves.
func loadSource(ctx context.Context, dir string) (*manifest.Manifest, error) {
	m, err := manifest.Load(dir)
	if err != nil {
		return nil, err
	}
	if m.Backend != nil {
		if _, err := build.Backend(ctx, dir, m.Backend.Wasm); err != nil {
			return nil, fmt.Errorf("build backend of %s: %w", m.ID, err)
		}
	}
	return m, nil
}
