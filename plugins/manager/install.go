package manager

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/wardenhq/warden/manifest"
	"github.com/wardenhq/warden/plugins/bundle"
	"github.com/wardenhq/warden/plugins/signing"
	"github.com/wardenhq/warden/plugins/store"
)

// InstallOptions say how to install one bundle.
type InstallOptions struct {
	// Consent asks the user; required for a first install and for an
	// accepted new publisher. Other updates do not ask: new permissions
	// are left pending.
	Consent Consent
	// Keys are publisher keys the user trusts for this install, besides
	// the admin's trusted keys. Under require_signatures they are not
	// used: only the admin's keys can make a bundle trusted.
	Keys []signing.PublicKey
	// AllowUnsigned accepts a bundle without a signature (when policy does
	// not require one).
	AllowUnsigned bool
	// Source records where the bundle came from (a path or registry URL).
	Source string
	// Range records the version range the user asked for ("^1"), used by
	// later updates.
	Range string
	// Verified says the bundle's bytes were already authenticated by the
	// caller (a registry whose signed index lists the bundle's SHA-256),
	// so a bundle whose signature does not verify may be installed without
	// AllowUnsigned. It says nothing about the publisher: the plugin is
	// recorded as signed only when its signature verifies with a key.
	Verified bool
	// IndexKey is the publisher key a registry's signed index lists for
	// the bundle (registry.Version.SignerKey), zero for none. The bundle
	// must verify with it (or with another key that counts), except under
	// require_signatures, where only the policy's keys count.
	IndexKey signing.PublicKey
	// AcceptNewPublisher lets an update replace an installed version that
	// was signed by another key (or is unsigned, or does not verify) after
	// the user agreed to trust a new publisher. The update is then treated
	// as a new install: Consent is asked and the old grants are dropped.
	AcceptNewPublisher bool
	// Review, when set, is shown an update that keeps its publisher
	// before anything is written: the new version and what it adds
	// (ConsentRequest.Update names the installed version). An error stops
	// the update with nothing changed. A nil Review lets updates through
	// unasked, their new permissions pending. The manager window sets it
	// to show an update before it is applied.
	Review Consent
}

// Result says what an install or update did.
type Result struct {
	Plugin store.Plugin
	// Updated is true when a previous version was installed.
	Updated bool
	From    string
	// Pending are permissions the new version asks for that the user has
	// not granted: the plugin stays disabled until they are.
	Pending []string
	// Signer describes the signature check.
	Signer string
	// NewPublisher is true when an update was signed by another publisher
	// than the installed version and the user accepted it.
	NewPublisher bool
}

// Install installs or updates the plugin in the bundle file at path; see
// the package documentation for the steps. A first install asks opts.Consent;
// an update of an installed plugin keeps its grants and leaves new
// permissions pending.
func (m *Manager) Install(ctx context.Context, path string, opts InstallOptions) (Result, error) {
	b, err := bundle.Open(path, bundle.DefaultLimits)
	if err != nil {
		return Result{}, fmt.Errorf("install %s: %w", path, err)
	}
	defer b.Close()
	mf := b.Manifest()
	asked := mf.ConsentPermissions()

	st := m.opts.Store
	var old *store.Plugin
	switch prev, err := st.Get(mf.ID); {
	case err == nil:
		old = &prev
	case !errors.Is(err, store.ErrNotInstalled):
		return Result{}, fmt.Errorf("install %s: %w", mf.ID, err)
	}
	sig, err := m.checkSignature(b, old, opts)
	if err != nil {
		return Result{}, fmt.Errorf("install %s: %w", mf.ID, err)
	}
	newPublisher, err := checkPublisher(old, sig, opts)
	if err != nil {
		return Result{}, fmt.Errorf("install %s %s: %w", mf.ID, mf.Version, err)
	}
	if err := m.checkUnsigned(sig, opts); err != nil {
		return Result{}, fmt.Errorf("install %s: %w", mf.ID, err)
	}
	if err := mf.CheckHost(m.opts.HostVersion); err != nil {
		return Result{}, fmt.Errorf("install %s %s: %w: %w", mf.ID, mf.Version, ErrIncompatible, err)
	}
	d := m.Policy().Check(candidate(mf, sig))
	if err := d.Err(); err != nil {
		return Result{}, fmt.Errorf("install %s %s: %w", mf.ID, mf.Version, err)
	}

	update := old != nil
	res := Result{Updated: update, Signer: sig.text, NewPublisher: newPublisher}
	rec := store.Plugin{ID: mf.ID, Version: mf.Version, Enabled: true, Source: opts.Source, Range: opts.Range, SignerKey: sig.encoded()}
	if update {
		res.From = old.Version
		if err := newer(mf.Version, old.Version); err != nil {
			return Result{}, fmt.Errorf("install %s %s: %w", mf.ID, mf.Version, err)
		}
		if rec.Source == "" {
			rec.Source = old.Source
		}
		if rec.Range == "" {
			rec.Range = old.Range
		}
	}
	if update && !newPublisher {
		rec.Grants = old.Grants
		rec.Enabled = old.Enabled
		rec.DisabledReason = old.DisabledReason
		for _, p := range asked {
			if _, ok := old.Grants[p]; !ok {
				res.Pending = append(res.Pending, p)
			}
		}
		// Grants the new version no longer declares are dropped: a later
		// version asking again must ask the user again.
		for p := range rec.Grants {
			if !slices.Contains(asked, p) && !slices.Contains(mf.OptionalPermissions, p) {
				delete(rec.Grants, p)
			}
		}
		if opts.Review != nil {
			var optional []string
			for _, p := range mf.OptionalPermissions {
				if _, ok := old.Grants[p]; !ok {
					optional = append(optional, p)
				}
			}
			req := ConsentRequest{
				ID: mf.ID, Name: mf.Name, Version: mf.Version, Publisher: mf.Publisher, Signer: sig.text, Update: old.Version,
				Permissions: m.describe(res.Pending, mf), Optional: m.describe(optional, mf),
			}
			if err := opts.Review(ctx, req); err != nil {
				return Result{}, fmt.Errorf("update %s to %s: %w", mf.ID, mf.Version, err)
			}
		}
		if len(res.Pending) > 0 {
			rec.Enabled = false
			rec.DisabledReason = pendingReason(mf.Version, res.Pending)
		}
		rec.Pending = res.Pending
	} else {
		// A first install, or a new publisher taking over an installed
		// plugin: nothing the user approved before carries over.
		if opts.Consent == nil {
			return Result{}, fmt.Errorf("install %s: %w: no way to ask for consent", mf.ID, ErrConsentRefused)
		}
		req := ConsentRequest{
			ID: mf.ID, Name: mf.Name, Version: mf.Version, Publisher: mf.Publisher, Signer: sig.text,
			Permissions: m.describe(asked, mf),
			Optional:    m.describe(mf.OptionalPermissions, mf),
		}
		if newPublisher {
			req.Replaces = fmt.Sprintf("%s %s, signed by key %s", old.ID, old.Version, old.Signer)
		}
		if err := opts.Consent(ctx, req); err != nil {
			return Result{}, fmt.Errorf("install %s: %w", mf.ID, err)
		}
		rec.Grants = m.grantsFor(asked)
	}

	lock, err := st.Lock(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("install %s: %w", mf.ID, err)
	}
	defer lock.Unlock()
	stg, err := st.Stage(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("install %s: %w", mf.ID, err)
	}
	defer stg.Discard()
	if err := b.Extract(ctx, stg.Dir()); err != nil {
		return Result{}, fmt.Errorf("install %s: %w", mf.ID, err)
	}
	if m.opts.Precompile != nil && mf.Backend != nil {
		if err := m.opts.Precompile.Precompile(ctx, stg.Dir()); err != nil {
			return Result{}, fmt.Errorf("install %s: precompile: %w", mf.ID, err)
		}
	}
	if err := st.Commit(ctx, stg, rec); err != nil {
		return Result{}, fmt.Errorf("install %s: %w", mf.ID, err)
	}
	res.Plugin, err = st.Get(mf.ID)
	if err != nil {
		return Result{}, fmt.Errorf("install %s: %w", mf.ID, err)
	}
	m.log.Info("installed", "plugin", mf.ID, "version", mf.Version, "update_from", res.From, "pending", res.Pending, "signer", rec.Signer, "new_publisher", newPublisher)
	return res, nil
}

// newer reports an error unless version is newer than installed.
func newer(version, installed string) error {
	v, err := semver.StrictNewVersion(version)
	if err != nil {
		return err
	}
	o, err := semver.StrictNewVersion(installed)
	if err != nil {
		return err
	}
	if !v.GreaterThan(o) {
		if v.Equal(o) {
			return fmt.Errorf("%w: %s is already installed", ErrNotNewer, installed)
		}
		return fmt.Errorf("%w: %s is installed (use rollback to go back)", ErrNotNewer, installed)
	}
	return nil
}

func pendingReason(version string, pending []string) string {
	return fmt.Sprintf("version %s asks for new permissions (%s): approve them with warden grant", version, strings.Join(pending, ", "))
}

// scopes returns each scoped permission's scopes for the consent screen.
func scopes(mf *manifest.Manifest) map[string][]string {
	s := map[string][]string{}
	if mf.FS != nil {
		s["fs.read"] = mf.FS.Read
		s["fs.write"] = mf.FS.Write
	}
	s["http"] = mf.HTTP
	return s
}
