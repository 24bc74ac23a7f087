package manager

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/Masterminds/semver/v3"

	"github.com/wardenhq/warden/plugins/policy"
	"github.com/wardenhq/warden/plugins/registry"
	"github.com/wardenhq/warden/plugins/store"
)

// Allow reports whether version v listed by a registry may be installed
// here: the host version is in its constraint and the admin policy allows
// it (its id, version, permissions and, when signatures are required, its
// signer). The bundle's signature itself is verified at install.
func (m *Manager) Allow(v registry.Version) error {
	c, err := semver.NewConstraint(v.Host)
	if err != nil {
		return fmt.Errorf("%w: host constraint %q: %w", ErrIncompatible, v.Host, err)
	}
	hv, err := semver.NewVersion(m.opts.HostVersion)
	if err != nil {
		return err
	}
	if !c.Check(hv) {
		return fmt.Errorf("%w: it needs host %s, this is %s", ErrIncompatible, v.Host, m.opts.HostVersion)
	}
	// Decide with the publisher key the index lists, else as for the
	// trusted key with the id it names; install verifies either in full.
	pol := m.Policy()
	key := trustedSignerKey(pol, v.Signer)
	if !v.SignerKey.IsZero() {
		key = v.SignerKey.String()
	}
	d := pol.Check(policy.Candidate{ID: v.ID, Version: v.Version, Permissions: v.Permissions, Signed: key != "", SignerKey: key, SignerKeyID: v.Signer.String()})
	return d.Err()
}

// InstallFrom installs plugin id from the registry c: the highest version
// in rng (empty: any) that [Manager.Allow] accepts, downloaded into
// staging, checked against the SHA-256 in the registry's signed index, then
// installed as [Manager.Install] does (an installed plugin is updated). The
// range is recorded for later updates.
func (m *Manager) InstallFrom(ctx context.Context, c *registry.Client, id, rng string, opts InstallOptions) (Result, error) {
	idx, err := c.Index(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("install %s: %w", id, err)
	}
	v, err := idx.Resolve(id, rng, m.Allow)
	if err != nil {
		return Result{}, fmt.Errorf("install %s: %w", id, err)
	}
	return m.installVersion(ctx, c, v, rng, opts)
}

// ErrUpToDate reports that no newer allowed version exists.
var ErrUpToDate = errors.New("up to date")

// Update updates plugin id from the registry it was installed from (c must
// read that registry): the highest version in the range recorded at
// install that the policy and host allow, if it is newer. New permissions
// are left pending. As with [Manager.Install], an installed version that
// was signed by a verified key is replaced only by one signed by the same
// key, unless opts.AcceptNewPublisher (then opts.Consent is asked); opts'
// Keys count as for Install, and its Source and Range are ignored. It
// returns ErrUpToDate when there is nothing newer.
func (m *Manager) Update(ctx context.Context, c *registry.Client, idx *registry.Index, id string, opts InstallOptions) (Result, error) {
	loc, err := c.Location()
	if err != nil {
		return Result{}, fmt.Errorf("update %s: %w", id, err)
	}
	rec, v, err := m.Candidate(idx, loc, id)
	if err != nil {
		return Result{Plugin: rec}, err
	}
	return m.installVersion(ctx, c, v, rec.Range, opts)
}

// Candidate returns the installed record of plugin id and the version
// of the registry index idx, read from location loc, that [Manager.Update]
// would install: the highest in the range recorded at install that the
// policy and host allow. It returns ErrUpToDate when that is not newer
// than the installed version, and an error when id was installed from
// elsewhere. It reads the store and nothing else.
func (m *Manager) Candidate(idx *registry.Index, loc, id string) (store.Plugin, registry.Version, error) {
	rec, err := m.opts.Store.Get(id)
	if err != nil {
		return rec, registry.Version{}, fmt.Errorf("update %s: %w", id, err)
	}
	if !FromRegistry(rec, loc) {
		return rec, registry.Version{}, fmt.Errorf("update %s: installed from %s, not from the registry %s", id, orBundle(rec.Source), loc)
	}
	v, err := idx.Resolve(id, rec.Range, m.Allow)
	if err != nil {
		return rec, v, fmt.Errorf("update %s: %w", id, err)
	}
	if newer(v.Version, rec.Version) != nil {
		return rec, v, fmt.Errorf("%s %s: %w (newest allowed in the registry: %s)", id, rec.Version, ErrUpToDate, v.Version)
	}
	return rec, v, nil
}

// installVersion downloads v into a temporary directory (outside the
// profile: the store's recovery may clear staging while a download runs
// without the install lock) and installs it.
func (m *Manager) installVersion(ctx context.Context, c *registry.Client, v registry.Version, rng string, opts InstallOptions) (Result, error) {
	tmp, err := os.MkdirTemp("", "warden-download-")
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(tmp)
	file := filepath.Join(tmp, "bundle.wbundle")
	if err := c.Download(ctx, v, file); err != nil {
		return Result{}, fmt.Errorf("install %s: %w", v, err)
	}
	loc, err := c.Location()
	if err != nil {
		return Result{}, err
	}
	opts.Verified, opts.Source, opts.Range, opts.IndexKey = true, loc, rng, v.SignerKey
	return m.Install(ctx, file, opts)
}

// FromRegistry reports whether rec was installed from the registry whose
// location ([registry.Client.Location]) is loc, however its source was
// spelled when it was recorded.
func FromRegistry(rec store.Plugin, loc string) bool {
	if rec.Source == "" {
		return false
	}
	src, err := registry.NormalizeLocation(rec.Source)
	if err != nil {
		return false
	}
	return src == loc
}

func orBundle(s string) string {
	if s == "" {
		return "a bundle file"
	}
	return s
}
