package bundle

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"slices"

	"github.com/wardenhq/warden/manifest"
	"github.com/wardenhq/warden/plugins/signing"
)

// Bundle is a bundle that [Read] or [Open] has checked: its structure is
// sound and every listed entry's content matches the entry list. Its
// signature is checked separately by [Bundle.Verify]. A Bundle reads the
// underlying file again in [Bundle.Extract] (re-checking every hash), so
// the file must stay open until then; Close it when done.
type Bundle struct {
	zr      *zip.Reader
	files   map[string]*zip.File // listed entries by path
	entries []Entry
	list    []byte
	sig     []byte
	m       *manifest.Manifest
	digest  [sha256.Size]byte
	size    int64
	closer  io.Closer
}

// Manifest returns the bundle's parsed and validated manifest.
func (b *Bundle) Manifest() *manifest.Manifest { return b.m }

// Signed reports whether the bundle carries a signature
// (WARDEN/entries.minisig) in minisign's format, whether or not it
// verifies. An empty or garbled signature file is not a signature: such a
// bundle is as unsigned as one without the file. Only [Bundle.VerifyKey]
// says who signed it.
func (b *Bundle) Signed() bool {
	_, ok := b.Signer()
	return ok
}

// Entries returns a copy of the entry list, sorted by path; Warden's own
// entries are not in it.
func (b *Bundle) Entries() []Entry { return slices.Clone(b.entries) }

// EntryList returns the exact bytes of WARDEN/entries, the message the
// signature signs (for running minisign over it).
func (b *Bundle) EntryList() []byte { return bytes.Clone(b.list) }

// Signature returns the exact bytes of WARDEN/entries.minisig, or nil for
// an unsigned bundle.
func (b *Bundle) Signature() []byte { return bytes.Clone(b.sig) }

// Digest returns the SHA-256 of the whole bundle file, as a registry index
// records it.
func (b *Bundle) Digest() [sha256.Size]byte { return b.digest }

// Size returns the bundle file's size in bytes.
func (b *Bundle) Size() int64 { return b.size }

// Signer returns the id of the key that the signature claims made it,
// without checking the signature; ok is false for an unsigned bundle or a
// signature that does not parse.
func (b *Bundle) Signer() (id signing.KeyID, ok bool) {
	if b.sig == nil {
		return id, false
	}
	s, err := signing.ParseSignature(b.sig)
	if err != nil {
		return id, false
	}
	return s.KeyID, true
}

// Verify checks the bundle's signature over the entry list against the
// trusted keys and returns the signer's id; see [Bundle.VerifyKey].
func (b *Bundle) Verify(trusted []signing.PublicKey) (signing.KeyID, error) {
	pk, id, err := b.VerifyKey(trusted)
	if err != nil {
		return id, err
	}
	return pk.ID(), nil
}

// VerifyKey checks the bundle's signature over the entry list against the
// trusted keys and returns the key that verified it (and the id the
// signature claims). Since [Read] already matched every entry against the
// list, a valid signature covers the whole content. A bundle without a
// signature in minisign's format (none, or an empty or garbled file) is
// ErrUnsigned; otherwise errors wrap signing's sentinels (ErrUntrustedKey,
// ErrBadSignature). Cost: one BLAKE2b-512 pass over the entry list and two
// Ed25519 verifications per key tried.
func (b *Bundle) VerifyKey(trusted []signing.PublicKey) (signing.PublicKey, signing.KeyID, error) {
	if !b.Signed() {
		what := "it has no signature"
		if b.sig != nil {
			what = fmt.Sprintf("its %s is empty or not a minisign signature", SignatureName)
		}
		return signing.PublicKey{}, signing.KeyID{}, fmt.Errorf("verify bundle %s %s: %w: %s; sign it with `warden sign <bundle> --key FILE`", b.m.ID, b.m.Version, ErrUnsigned, what)
	}
	pk, id, err := signing.VerifyKey(b.list, b.sig, trusted)
	if err != nil {
		return pk, id, fmt.Errorf("verify bundle %s %s: %w", b.m.ID, b.m.Version, err)
	}
	return pk, id, nil
}

// Close releases the file that [Open] opened; it does nothing for a
// bundle from [Read].
func (b *Bundle) Close() error {
	if b.closer == nil {
		return nil
	}
	return b.closer.Close()
}
