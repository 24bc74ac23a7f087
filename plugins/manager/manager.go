package manager

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/wardenhq/warden/manifest"
	"github.com/wardenhq/warden/permissions"
	"github.com/wardenhq/warden/plugins/policy"
	"github.com/wardenhq/warden/plugins/store"
)

// Precompiler compiles a plugin's backend into the host's compilation
// cache, so that the first start after an install does not pay for it.
// Host.Precompile implements it.
type Precompiler interface {
	Precompile(ctx context.Context, dir string) error
}

// Remover deletes what a plugin stored while it ran (storage, $DATA,
// website data). Host.PurgeData implements it.
type Remover interface {
	PurgeData(id string) error
}

// Options configure a [Manager]. Store is required.
type Options struct {
	Store *store.Store
	// Policy returns the admin policy in force; nil means no policy.
	Policy func() *policy.Policy
	// HostVersion is checked against each manifest's "host" constraint.
	HostVersion string
	// Precompile fills the compilation cache during install; nil skips it.
	Precompile Precompiler
	// Purge deletes a plugin's data on uninstall --purge; nil means
	// purging is refused.
	Purge Remover
	// Describe gives the consent text of the application's own
	// permissions ("app.*"; host.Host.Describe); nil means none.
	Describe func(name string) (permissions.Entry, bool)
	// Logger receives what the manager does; nil means slog.Default().
	Logger *slog.Logger
	// Now stamps consent records; nil means time.Now.
	Now func() time.Time
}

// Manager carries out installs, updates and the other lifecycle commands on
// one profile. It is safe for concurrent use (the store serialises changes).
type Manager struct {
	opts Options
	log  *slog.Logger
}

// New returns a Manager over opts.Store.
func New(opts Options) (*Manager, error) {
	if opts.Store == nil {
		return nil, fmt.Errorf("manager: a store is required")
	}
	if opts.Policy == nil {
		opts.Policy = func() *policy.Policy { return nil }
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Manager{opts: opts, log: log}, nil
}

// Store returns the manager's store.
func (m *Manager) Store() *store.Store { return m.opts.Store }

// Policy returns the admin policy in force (nil: none).
func (m *Manager) Policy() *policy.Policy { return m.opts.Policy() }

// Manifest reads the manifest of an installed plugin's current version.
func (m *Manager) Manifest(rec store.Plugin) (*manifest.Manifest, error) {
	mf, err := manifest.Load(m.opts.Store.Dir(rec.ID, rec.Version))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", rec.ID, rec.Version, err)
	}
	return mf, nil
}

// Dir returns the directory of an installed plugin's current version.
func (m *Manager) Dir(rec store.Plugin) string { return m.opts.Store.Dir(rec.ID, rec.Version) }

// candidate describes a manifest and its signature check to the policy.
func candidate(mf *manifest.Manifest, sig signature) policy.Candidate {
	perms := slices.Concat(mf.ConsentPermissions(), mf.OptionalPermissions)
	for _, c := range mf.Commands {
		perms = append(perms, permissions.BackendPrefix+c)
	}
	c := policy.Candidate{ID: mf.ID, Version: mf.Version, Permissions: perms, Signed: sig.verified()}
	if sig.verified() {
		c.SignerKey, c.SignerKeyID = sig.encoded(), sig.key.ID().String()
	}
	return c
}

// grantsFor stamps consent records for perms.
func (m *Manager) grantsFor(perms []string) permissions.Grants {
	g := permissions.Grants{}
	now := m.opts.Now().UTC()
	for _, p := range perms {
		g[p] = permissions.Grant{Permission: p, GrantedAt: now}
	}
	return g
}

// Purge deletes everything plugin id stored, for uninstall --purge.
func (m *Manager) purge(id string) error {
	if m.opts.Purge == nil {
		return fmt.Errorf("purge %s: no data remover configured", id)
	}
	return m.opts.Purge.PurgeData(id)
}
