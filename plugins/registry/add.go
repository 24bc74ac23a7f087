package registry

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"time"

	"github.com/Masterminds/semver/v3"

	"github.com/wardenhq/warden/plugins/bundle"
	"github.com/wardenhq/warden/plugins/signing"
)

// Names of the next index and signature while Add publishes them; they
// are fixed (Add holds the directory's lock) so that an interrupted Add
// can be finished by the next one.
const (
	pendingIndex     = ".index.json.new"
	pendingSignature = ".index.json.minisig.new"
)

// AddOptions adjust [Add].
type AddOptions struct {
	// Force replaces a version the registry already holds with different
	// bytes, and re-signs an index whose signature does not verify with
	// the key given (signed by another key, or not signed).
	Force bool
	// ValidFor is how long clients accept the new index (its "expires");
	// zero means DefaultValidity.
	ValidFor time.Duration
	// Publisher, when set, are the publisher keys the bundle's signature
	// must verify with; the key that does is listed in the index
	// (signer_key), so that installers verify the bundle with it and bind
	// the plugin to it. A bundle none of them verifies is refused.
	Publisher []signing.PublicKey
}

// Add publishes the bundle at bundlePath in the registry directory dir,
// signing the new index with sk, and returns the version entry it added.
//
// The bundle must read cleanly ([bundle.Open] with DefaultLimits) and be
// signed by its publisher. With opts.Publisher the signature is verified
// and the verifying key listed; without, only the id the signature claims
// is recorded (the registry vouches for the bytes, and installers verify
// the publisher with keys they trust). It is
// copied to dir/bundles/<id>-<version>.wbundle, its entry added to the
// index and versions kept in ascending order. Adding the same bytes again
// changes nothing; other bytes under an id and version the registry holds
// are ErrVersionExists unless opts.Force. An existing index must verify
// with sk's public key (ErrBadIndexSignature otherwise, unless
// opts.Force). dir and an empty index are created when missing. The new
// index expires opts.ValidFor (default DefaultValidity) after it is
// written; run [Refresh] before then when nothing new is published.
//
// Writes are atomic: the bundle through a temporary file and a rename,
// then the index and its signature both written and fsynced under
// temporary names and renamed index first. Between the two renames
// (microseconds) a reader sees the new index with the old signature;
// [Client.Index] fetches again once in that case. If Add is killed between
// them, the next Add finishes the job. Add holds an flock on dir/.lock
// throughout, so concurrent Adds wait for each other.
func Add(ctx context.Context, dir, bundlePath string, sk *signing.SecretKey, opts AddOptions) (Version, error) {
	if sk == nil {
		return Version{}, fmt.Errorf("add %s: no registry key given", bundlePath)
	}
	b, err := bundle.Open(bundlePath, bundle.DefaultLimits)
	if err != nil {
		return Version{}, fmt.Errorf("add: %w", err)
	}
	defer b.Close()
	m := b.Manifest()
	if !b.Signed() {
		return Version{}, fmt.Errorf("add %s: %w: a registry publishes signed bundles only; sign it with `warden sign %s --key FILE`", bundlePath, bundle.ErrUnsigned, bundlePath)
	}
	signer, ok := b.Signer()
	if !ok {
		return Version{}, fmt.Errorf("add %s: %w: its signature does not parse; sign it again with `warden sign`", bundlePath, bundle.ErrMalformed)
	}
	var signerKey signing.PublicKey
	if len(opts.Publisher) > 0 {
		if signerKey, _, err = b.VerifyKey(opts.Publisher); err != nil {
			return Version{}, fmt.Errorf("add %s: %w", bundlePath, err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, BundlesDir), 0o755); err != nil {
		return Version{}, fmt.Errorf("add %s: %w", bundlePath, err)
	}
	unlock, err := lockDir(ctx, dir)
	if err != nil {
		return Version{}, fmt.Errorf("add %s: %w", bundlePath, err)
	}
	defer unlock()

	ix, err := loadLocal(dir, sk.Public(), opts.Force)
	if err != nil {
		return Version{}, fmt.Errorf("add %s: %w", bundlePath, err)
	}
	digest := b.Digest()
	now := time.Now().UTC().Truncate(time.Second)
	v := Version{
		ID:          m.ID,
		Version:     m.Version,
		SHA256:      hex.EncodeToString(digest[:]),
		Size:        b.Size(),
		Host:        m.Host,
		Permissions: m.ConsentPermissions(),
		Signer:      signer,
		SignerKey:   signerKey,
		Published:   now,
	}
	p, listed := ix.Plugins[m.ID]
	at := findVersion(p.Versions, m.Version)
	var old *Version
	if at >= 0 {
		old = &p.Versions[at]
		if old.SHA256 == v.SHA256 && bundleIntact(dir, *old) && (signerKey.IsZero() || old.SignerKey.Equal(signerKey)) {
			return withID(*old, m.ID), nil
		}
		if old.SHA256 != v.SHA256 && !opts.Force {
			return Version{}, fmt.Errorf("add %s: %w: %s %s was published %s with sha256 %s, this bundle's is %s; publish a new version, or pass --force to replace it",
				bundlePath, ErrVersionExists, m.ID, old.Version, old.Published.Format(time.RFC3339), old.SHA256, v.SHA256)
		}
	}

	name, err := bundleName(dir, m.ID, m.Version, digest[:])
	if err != nil {
		return Version{}, fmt.Errorf("add %s: %w", bundlePath, err)
	}
	v.URL = path.Join(BundlesDir, name)
	if err := copyAtomic(ctx, bundlePath, filepath.Join(dir, BundlesDir, name), digest); err != nil {
		return Version{}, fmt.Errorf("add %s: copy into the registry: %w", bundlePath, err)
	}

	highest := true
	sv, _ := semver.StrictNewVersion(m.Version)
	for _, o := range p.Versions {
		if ov, err := semver.StrictNewVersion(o.Version); err == nil && sv != nil && ov.GreaterThan(sv) {
			highest = false
		}
	}
	var replaced string
	if old != nil {
		if old.URL != v.URL {
			replaced = old.URL
		}
		*old = v
	} else {
		p.Versions = append(p.Versions, v)
	}
	if !listed || highest {
		p.Name, p.Publisher, p.Description = m.Name, m.Publisher, m.Description
	}
	sortVersions(p.Versions)
	ix.Plugins[m.ID] = p
	// Each index is newer than the last, even within one second or after
	// the clock stepped back: clients refuse an index older than one they
	// have seen (Client.NotBefore).
	if !now.After(ix.Updated) {
		now = ix.Updated.Add(time.Second)
	}
	ix.Updated = now
	ix.Expires = now.Add(validity(opts.ValidFor))
	if err := publish(dir, ix, sk, now); err != nil {
		return Version{}, fmt.Errorf("add %s: %w", bundlePath, err)
	}
	if replaced != "" {
		removeUnreferenced(dir, ix, replaced)
	}
	return v, nil
}

// validity returns d, or DefaultValidity when d is not positive.
func validity(d time.Duration) time.Duration {
	if d <= 0 {
		return DefaultValidity
	}
	return d
}

// findVersion returns the index of version in vs, comparing semver
// precedence (build metadata aside), or -1.
func findVersion(vs []Version, version string) int {
	want, err := semver.StrictNewVersion(version)
	if err != nil {
		return -1
	}
	for i, v := range vs {
		if sv, err := semver.StrictNewVersion(v.Version); err == nil && sv.Equal(want) {
			return i
		}
	}
	return -1
}

func withID(v Version, id string) Version {
	v.ID = id
	return v
}

// bundleIntact reports whether v's bundle is in dir with v's hash.
func bundleIntact(dir string, v Version) bool {
	u, err := resolveBundle(&urlDir, v)
	if err != nil || u.Scheme != "file" || !filepath.IsLocal(filepath.FromSlash(u.Path[1:])) {
		return false
	}
	sum, err := hashFile(filepath.Join(dir, filepath.FromSlash(u.Path[1:])))
	return err == nil && hex.EncodeToString(sum[:]) == v.SHA256
}

// bundleName picks the file name for a bundle: <id>-<version>.wbundle, or,
// when a file of that name holds other bytes (a forced replacement, or a
// leftover), the same with the first 12 hex digits of the hash added, so
// that a published URL never changes content.
func bundleName(dir, id, version string, digest []byte) (string, error) {
	name := id + "-" + version + ".wbundle"
	sum, err := hashFile(filepath.Join(dir, BundlesDir, name))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return name, nil
	case err != nil:
		return "", err
	case string(sum[:]) == string(digest):
		return name, nil
	}
	return id + "-" + version + "-" + hex.EncodeToString(digest)[:12] + ".wbundle", nil
}

// removeUnreferenced deletes the bundle at url (relative to dir) when no
// version in ix refers to it any more. Failing to is not an error: the
// file is only unused.
func removeUnreferenced(dir string, ix *Index, url string) {
	for _, p := range ix.Plugins {
		for _, v := range p.Versions {
			if v.URL == url {
				return
			}
		}
	}
	u, err := resolveBundle(&urlDir, Version{URL: url})
	if err != nil || u.Scheme != "file" || !filepath.IsLocal(filepath.FromSlash(u.Path[1:])) {
		return
	}
	if err := os.Remove(filepath.Join(dir, filepath.FromSlash(u.Path[1:]))); err != nil && !errors.Is(err, fs.ErrNotExist) {
		slog.Warn("registry: remove replaced bundle", "file", u.Path[1:], "err", err)
	}
}
