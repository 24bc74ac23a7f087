package manager

import (
	"fmt"
	"slices"

	"github.com/wardenhq/warden/plugins/bundle"
	"github.com/wardenhq/warden/plugins/policy"
	"github.com/wardenhq/warden/plugins/signing"
	"github.com/wardenhq/warden/plugins/store"
)

// signature is what the signature check found out about a bundle.
type signature struct {
	// key verified the signature; zero when nothing verified it (no
	// signature, an empty or garbled one, or one no known key matches).
	key signing.PublicKey
	// claimed is the key id the signature names, when it parses.
	claimed signing.KeyID
	// present is true when the bundle carries a signature that parses.
	present bool
	// text describes the outcome for the user.
	text string
	// trusted is set when key is one of the admin policy's keys.
	trusted bool
}

func (s signature) verified() bool { return !s.key.IsZero() }

// encoded returns the verifying key as stored and as the policy compares
// it, or "".
func (s signature) encoded() string {
	if !s.verified() {
		return ""
	}
	return s.key.String()
}

// describe names the signer of an unverified bundle for messages.
func (s signature) describe() string {
	if s.present {
		return fmt.Sprintf("signed by key %s, which none of the keys trusted here verifies", s.claimed)
	}
	return "unsigned"
}

// checkSignature verifies b's signature. Under require_signatures only the
// policy's keys count: a key the user passes can never make a bundle
// trusted. Otherwise the keys the user passed, the key the installed
// version (old, nil on a first install) was verified with and the
// publisher key a registry's signed index lists count too. A
// signature that verifies with none of them is treated as no signature
// (see [checkUnsigned]), except that when the user passed keys or the
// policy requires signatures, the failed verification is the error.
func (m *Manager) checkSignature(b *bundle.Bundle, old *store.Plugin, opts InstallOptions) (signature, error) {
	pol := m.Policy()
	bound := boundKey(old)
	keys := m.policyKeys()
	if !pol.RequireSignatures() {
		keys = append(keys, opts.Keys...)
		if !bound.IsZero() {
			keys = append(keys, bound)
		}
		if !opts.IndexKey.IsZero() {
			keys = append(keys, opts.IndexKey)
		}
	}
	var s signature
	s.claimed, s.present = b.Signer()
	if s.present {
		pk, _, err := b.VerifyKey(keys)
		if err == nil {
			s.key = pk
		} else if len(opts.Keys) > 0 || pol.RequireSignatures() || !opts.IndexKey.IsZero() {
			// The user, the admin or the registry named the keys to
			// expect: say which
			// check failed (another key, or a signature that does not
			// match) rather than just "unsigned".
			return s, err
		}
	}
	s.trusted = s.verified() && pol.TrustsKey(s.encoded())
	switch {
	case s.trusted:
		s.text = fmt.Sprintf("signed by %s (trusted: a key of the admin policy)", s.key.ID())
	case s.verified() && s.key.Equal(bound):
		s.text = fmt.Sprintf("signed by %s (trusted: the key the installed version was signed with)", s.key.ID())
	case s.verified() && s.key.Equal(opts.IndexKey):
		s.text = fmt.Sprintf("signed by %s (verified with the publisher key the registry's signed index lists)", s.key.ID())
	case s.verified():
		s.text = fmt.Sprintf("signed by %s (trusted: a key you gave)", s.key.ID())
	case s.present:
		s.text = fmt.Sprintf("signed by %s, NOT verified: no key you trust matches, so it counts as unsigned", s.claimed)
	case b.Signature() != nil:
		s.text = "unsigned (its signature file is empty or garbled)"
	default:
		s.text = "unsigned"
	}
	return s, nil
}

// checkUnsigned refuses a bundle whose signature did not verify unless
// the install allows that: never under require_signatures; otherwise with
// opts.AllowUnsigned, or for a registry that vouched for the bytes
// (opts.Verified).
func (m *Manager) checkUnsigned(s signature, opts InstallOptions) error {
	switch {
	case s.verified():
		return nil
	case m.Policy().RequireSignatures():
		return fmt.Errorf("%w: the admin policy requires plugins signed by one of its keys, and this bundle is %s", ErrUnsigned, s.describe())
	case opts.AllowUnsigned || opts.Verified:
		return nil
	case s.present:
		return fmt.Errorf("%w: its signature claims key %s, which none of the keys you trust matches; pass that publisher's key with --pub, or --allow-unsigned to install it anyway", ErrUnsigned, s.claimed)
	}
	return fmt.Errorf("%w: %s; sign it (warden sign) or pass --allow-unsigned to install it anyway", ErrUnsigned, s.text)
}

// boundKey returns the key an installed plugin is bound to, or the zero
// key for none (a first install, or a version installed unsigned).
func boundKey(old *store.Plugin) signing.PublicKey {
	if old == nil || old.SignerKey == "" {
		return signing.PublicKey{}
	}
	k, err := signing.ParsePublicKey(old.SignerKey)
	if err != nil {
		return signing.PublicKey{}
	}
	return k
}

// checkPublisher applies the binding of an installed plugin to the key its
// current version was verified with: an update verified by that same key
// passes; any other (another key, no signature, or one that does not
// verify) is ErrPublisherChanged unless the user accepts a new publisher,
// in which case it reports true and the update is treated as a new
// install. A version installed without a verified signature binds
// nothing.
func checkPublisher(old *store.Plugin, s signature, opts InstallOptions) (newPublisher bool, err error) {
	if old != nil && old.SignerKey == "" && old.LegacySigner != "" {
		return checkLegacyPublisher(old, s, opts)
	}
	if old == nil || old.SignerKey == "" {
		return false, nil
	}
	bound, err := signing.ParsePublicKey(old.SignerKey)
	if err != nil {
		return false, fmt.Errorf("installed %s %s: %w", old.ID, old.Version, err)
	}
	if s.verified() && s.key.Equal(bound) {
		return false, nil
	}
	if opts.AcceptNewPublisher {
		return true, nil
	}
	now := s.describe()
	if s.verified() {
		now = "signed by another key, " + s.key.ID().String()
		if s.key.ID() == bound.ID() {
			now = "signed by another key that carries the same id " + s.key.ID().String()
		}
	}
	return false, fmt.Errorf("%w: %s %s was signed by key %s and this version is %s; it may not come from the same publisher. If you trust the new publisher, pass --accept-new-publisher: the new version is then installed as a new plugin and asks for its permissions again",
		ErrPublisherChanged, old.ID, old.Version, bound.ID(), now)
}

// checkLegacyPublisher binds a plugin installed before Warden kept full
// keys to the key id its record names. Ids are chosen by whoever makes the
// key, so a key with that id counts only when the user passed it (--pub)
// or the admin's policy trusts it: never one a registry index lists, which
// is what a compromised registry would serve.
func checkLegacyPublisher(old *store.Plugin, s signature, opts InstallOptions) (bool, error) {
	vouched := s.verified() && (s.trusted || slices.ContainsFunc(opts.Keys, s.key.Equal))
	if vouched && s.key.ID().String() == old.LegacySigner {
		return false, nil
	}
	if opts.AcceptNewPublisher {
		return true, nil
	}
	return false, fmt.Errorf("%w: %s %s was installed as signed by key id %s (before Warden kept full keys) and this version is %s; pass that publisher's key with --pub, or --accept-new-publisher to install it as a new plugin that asks for its permissions again",
		ErrPublisherChanged, old.ID, old.Version, old.LegacySigner, s.text)
}

// policyKeys returns the admin's trusted keys as signing keys.
func (m *Manager) policyKeys() []signing.PublicKey {
	var keys []signing.PublicKey
	for _, tk := range m.Policy().TrustedKeys() {
		pk, err := signing.ParsePublicKey(tk.Encoded)
		if err != nil {
			m.log.Warn("policy trusted key is not usable", "key", tk.ID, "err", err)
			continue
		}
		keys = append(keys, pk)
	}
	return keys
}

// trustedSignerKey returns the policy's trusted key with the given id, for
// deciding about a registry listing before its bundle is downloaded and
// verified; "" when the policy has none with that id.
func trustedSignerKey(pol *policy.Policy, id signing.KeyID) string {
	if id == (signing.KeyID{}) {
		return ""
	}
	tk, ok := pol.TrustedKey(id.String())
	if !ok {
		return ""
	}
	return tk.Encoded
}
