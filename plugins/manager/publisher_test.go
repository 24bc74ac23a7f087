package manager

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wardenhq/warden/plugins/bundle"
	"github.com/wardenhq/warden/plugins/policy"
	"github.com/wardenhq/warden/plugins/registry"
	"github.com/wardenhq/warden/plugins/signing"
	"go.etcd.io/bbolt"
)

// forgeKey mints a real Ed25519 key whose 8-byte id is victim's, as
// anyone can: minisign lets a key's maker choose its id.
func forgeKey(t *testing.T, victim signing.KeyID) (*signing.SecretKey, signing.PublicKey) {
	t.Helper()
	sk, pk, err := signing.GenerateKey(io.MultiReader(io.LimitReader(rand.Reader, 32), bytes.NewReader(victim[:])))
	if err != nil {
		t.Fatal(err)
	}
	if pk.ID() != victim {
		t.Fatalf("forged key id %s, want %s", pk.ID(), victim)
	}
	return sk, pk
}

// packHello packs the hello example at 1.0.0 (or, with v2, 1.1.0 asking
// also for notifications) signed with sk (unsigned when sk is nil).
func packHello(t *testing.T, v2 bool, sk *signing.SecretKey) string {
	t.Helper()
	if _, err := fixture(); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(fixtureDir, "hello")
	if v2 {
		src = filepath.Join(fixtureDir, "hello2")
	}
	out := filepath.Join(t.TempDir(), "hello.wbundle")
	if err := bundle.Pack(t.Context(), src, out, bundle.PackOptions{Key: sk}); err != nil {
		t.Fatal(err)
	}
	return out
}

// withSignatureFile copies the bundle at src with WARDEN/entries.minisig
// set to sig, as an attacker can write any bytes there.
func withSignatureFile(t *testing.T, src string, sig []byte) string {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if f.Name == bundle.SignatureName {
			continue
		}
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	h := &zip.FileHeader{Name: bundle.SignatureName, Method: zip.Deflate}
	h.SetMode(0o644)
	w, err := zw.CreateHeader(h)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(sig)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "tampered.wbundle")
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

func requireSignatures(t *testing.T, keys ...signing.PublicKey) *policy.Policy {
	t.Helper()
	list := ""
	for i, k := range keys {
		if i > 0 {
			list += ","
		}
		list += `"` + k.String() + `"`
	}
	pol, err := policy.Parse([]byte(`{"policy_version":1,"default":"allow","require_signatures":true,"trusted_keys":[` + list + `]}`))
	if err != nil {
		t.Fatal(err)
	}
	return pol
}

// TestForgedKeyIDIsNotTrusted: under require_signatures an attacker signs
// a bundle with a key carrying the admin's trusted key id and passes that
// key with --pub. The install is refused and nothing is installed.
func TestForgedKeyIDIsNotTrusted(t *testing.T) {
	f, err := fixture()
	if err != nil {
		t.Fatal(err)
	}
	m, _, _ := newManager(t, requireSignatures(t, f.pub))
	evilSK, evilPK := forgeKey(t, f.pub.ID())
	evil := packHello(t, false, evilSK)
	_, err = m.Install(t.Context(), evil, InstallOptions{Consent: approve, Keys: []signing.PublicKey{evilPK}})
	if err == nil {
		t.Fatal("a bundle signed by a key forged with the trusted key id was installed")
	}
	if !errors.Is(err, ErrUnsigned) && !errors.Is(err, policy.ErrUntrustedPublisher) && !errors.Is(err, signing.ErrBadSignature) {
		t.Fatalf("forged key: %v, want a refusal for an untrusted signer", err)
	}
	if list, _ := m.List(); len(list) != 0 {
		t.Fatalf("installed: %+v", list)
	}
	// The real key still works, and is recorded in full.
	res, err := m.Install(t.Context(), f.v1, InstallOptions{Consent: approve})
	if err != nil {
		t.Fatal(err)
	}
	if res.Plugin.SignerKey != f.pub.String() {
		t.Fatalf("recorded key %q, want %q", res.Plugin.SignerKey, f.pub)
	}
}

// TestEmptyOrGarbageSignatureIsUnsigned: a bundle whose
// WARDEN/entries.minisig is empty or garbage is unsigned, so installing it
// needs --allow-unsigned, and it is recorded as unsigned.
func TestEmptyOrGarbageSignatureIsUnsigned(t *testing.T) {
	f, err := fixture()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		sig  []byte
	}{
		{"empty", nil},
		{"garbage", []byte("untrusted comment: trust me\nnot base64 at all\n")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, _, _ := newManager(t, nil)
			path := withSignatureFile(t, f.unsigned, tt.sig)
			if _, err := m.Install(t.Context(), path, InstallOptions{Consent: approve}); !errors.Is(err, ErrUnsigned) {
				t.Fatalf("install without --allow-unsigned: %v, want ErrUnsigned", err)
			}
			res, err := m.Install(t.Context(), path, InstallOptions{Consent: approve, AllowUnsigned: true})
			if err != nil {
				t.Fatal(err)
			}
			if res.Plugin.Signer != "" || res.Plugin.SignerKey != "" {
				t.Fatalf("recorded signer %q %q for a bundle without a valid signature", res.Plugin.Signer, res.Plugin.SignerKey)
			}
		})
	}
}

// localRegistry publishes the bundles in a registry directory signed by a
// fresh registry key and returns a client for it.
func localRegistry(t *testing.T, bundles ...string) (*registry.Client, string, *signing.SecretKey) {
	t.Helper()
	dir := t.TempDir()
	sk, pk, err := signing.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bundles {
		if _, err := registry.Add(t.Context(), dir, b, sk, registry.AddOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	return &registry.Client{IndexURL: dir, Key: pk}, dir, sk
}

// TestRegistrySignerClaimIsNotRecorded: a registry lists a bundle whose
// signature claims the id of a key the admin will later trust, made with a
// forged key. Installed from the registry without a key to verify it, the
// plugin is recorded as unsigned; when the admin then requires signatures
// by that key, the plugin is blocked (fail closed).
func TestRegistrySignerClaimIsNotRecorded(t *testing.T) {
	f, err := fixture()
	if err != nil {
		t.Fatal(err)
	}
	evilSK, _ := forgeKey(t, f.pub.ID())
	c, _, _ := localRegistry(t, packHello(t, false, evilSK))
	var pol *policy.Policy
	m, _, _ := newManager(t, nil)
	m.opts.Policy = func() *policy.Policy { return pol }
	res, err := m.InstallFrom(t.Context(), c, "dev.warden.hello", "", InstallOptions{Consent: approve})
	if err != nil {
		t.Fatal(err)
	}
	if res.Plugin.Signer != "" || res.Plugin.SignerKey != "" {
		t.Fatalf("recorded signer %q %q from the signature's claim alone", res.Plugin.Signer, res.Plugin.SignerKey)
	}
	pol = requireSignatures(t, f.pub)
	st, err := m.Status("dev.warden.hello")
	if err != nil {
		t.Fatal(err)
	}
	if st.Runnable || st.State != "blocked" {
		t.Fatalf("under require_signatures with the claimed key trusted: %s (%s), want blocked", st.State, st.Reason)
	}
}

// TestUpdateByAnotherPublisherRefused installs 1.0.0 verified with the
// publisher's key, then offers 1.1.0 made by someone else in every form an
// attacker can: signed by another key (with and without passing that key),
// by a key forged with the publisher's id, unsigned, or with a garbage
// signature. Each is refused with ErrPublisherChanged and leaves the
// installed version, its grants and its state alone.
func TestUpdateByAnotherPublisherRefused(t *testing.T) {
	f, err := fixture()
	if err != nil {
		t.Fatal(err)
	}
	otherPK, otherSK := newManagerKey(t)
	forgedSK, forgedPK := forgeKey(t, f.pub.ID())
	unsigned := packHello(t, true, nil)
	cases := []struct {
		name string
		path string
		opts InstallOptions
	}{
		{"another key", packHello(t, true, otherSK), InstallOptions{AllowUnsigned: true}},
		{"another key passed with --pub", packHello(t, true, otherSK), InstallOptions{Keys: []signing.PublicKey{otherPK}}},
		{"forged publisher id", packHello(t, true, forgedSK), InstallOptions{Keys: []signing.PublicKey{forgedPK}}},
		{"forged publisher id, not passed", packHello(t, true, forgedSK), InstallOptions{AllowUnsigned: true}},
		{"unsigned", unsigned, InstallOptions{AllowUnsigned: true}},
		{"empty signature", withSignatureFile(t, unsigned, nil), InstallOptions{AllowUnsigned: true}},
		{"garbage signature", withSignatureFile(t, unsigned, []byte("garbage")), InstallOptions{AllowUnsigned: true}},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			m, _, _ := newManager(t, nil)
			ctx := t.Context()
			before, err := m.Install(ctx, f.v1, InstallOptions{Consent: approve, Keys: []signing.PublicKey{f.pub}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = m.Install(ctx, tt.path, tt.opts)
			if !errors.Is(err, ErrPublisherChanged) {
				t.Fatalf("update: %v, want ErrPublisherChanged", err)
			}
			after, _ := m.Status("dev.warden.hello")
			if after.Version != "1.0.0" || after.SignerKey != f.pub.String() || !after.Runnable || len(after.Grants) != len(before.Plugin.Grants) {
				t.Fatalf("after a refused update: %+v", after.Plugin)
			}
		})
	}
}

// TestNewPublisherAcceptedIsAFreshInstall: with AcceptNewPublisher the
// update asks for consent again (naming what it replaces) and keeps no
// grant; the same publisher's update needs no key at all; a rollback
// returns to the old version and its old key.
func TestNewPublisherAcceptedIsAFreshInstall(t *testing.T) {
	f, err := fixture()
	if err != nil {
		t.Fatal(err)
	}
	otherPK, otherSK := newManagerKey(t)
	m, _, _ := newManager(t, nil)
	ctx := t.Context()
	if _, err := m.Install(ctx, f.v1, InstallOptions{Consent: approve, Keys: []signing.PublicKey{f.pub}}); err != nil {
		t.Fatal(err)
	}
	// The same publisher: verified by the bound key, no --pub needed.
	same, err := m.Install(ctx, f.v2, InstallOptions{})
	if err != nil {
		t.Fatalf("update signed by the installed version's key: %v", err)
	}
	if same.NewPublisher || same.Plugin.SignerKey != f.pub.String() {
		t.Fatalf("same publisher: %+v", same)
	}
	if _, err := m.Rollback(ctx, "dev.warden.hello"); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(m.Store().Dir("dev.warden.hello", "1.1.0")); err != nil {
		t.Fatal(err)
	}
	if err := m.Uninstall(ctx, "dev.warden.hello", false); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Install(ctx, f.v1, InstallOptions{Consent: approve, Keys: []signing.PublicKey{f.pub}}); err != nil {
		t.Fatal(err)
	}

	var asked []ConsentRequest
	consent := func(_ context.Context, r ConsentRequest) error { asked = append(asked, r); return nil }
	res, err := m.Install(ctx, packHello(t, true, otherSK), InstallOptions{Keys: []signing.PublicKey{otherPK}, AcceptNewPublisher: true})
	if !errors.Is(err, ErrConsentRefused) {
		t.Fatalf("new publisher without a way to ask: %v, want ErrConsentRefused", err)
	}
	res, err = m.Install(ctx, packHello(t, true, otherSK), InstallOptions{Keys: []signing.PublicKey{otherPK}, AcceptNewPublisher: true, Consent: consent})
	if err != nil {
		t.Fatal(err)
	}
	if len(asked) != 1 || asked[0].Replaces == "" || len(asked[0].Permissions) != 2 {
		t.Fatalf("consent asked %+v, want one request naming what it replaces, for both permissions", asked)
	}
	p := res.Plugin
	if !res.NewPublisher || p.SignerKey != otherPK.String() || len(p.Pending) != 0 || !p.Enabled {
		t.Fatalf("after accepting a new publisher: %+v", res)
	}
	if g, ok := p.Grants["storage"]; !ok || !g.GrantedAt.After(time.Time{}) {
		t.Fatalf("grants %+v", p.Grants)
	}
	back, err := m.Rollback(ctx, "dev.warden.hello")
	if err != nil {
		t.Fatal(err)
	}
	if back.Version != "1.0.0" || back.SignerKey != f.pub.String() {
		t.Fatalf("rollback: %s bound to %s, want 1.0.0 bound to the first publisher", back.Version, back.SignerKey)
	}
}

// TestRegistryUpdateByAnotherPublisherRefused: the registry (or whoever
// holds its key) publishes 1.1.0 signed by another key; warden update
// refuses it while 1.0.0 was verified with the publisher's key.
func TestRegistryUpdateByAnotherPublisherRefused(t *testing.T) {
	f, err := fixture()
	if err != nil {
		t.Fatal(err)
	}
	_, otherSK := newManagerKey(t)
	c, dir, regSK := localRegistry(t, f.v1)
	m, _, _ := newManager(t, nil)
	ctx := t.Context()
	if _, err := m.InstallFrom(ctx, c, "dev.warden.hello", "^1", InstallOptions{Consent: approve, Keys: []signing.PublicKey{f.pub}}); err != nil {
		t.Fatal(err)
	}
	if _, err := registry.Add(ctx, dir, packHello(t, true, otherSK), regSK, registry.AddOptions{}); err != nil {
		t.Fatal(err)
	}
	idx, err := c.Index(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Update(ctx, c, idx, "dev.warden.hello", InstallOptions{}); !errors.Is(err, ErrPublisherChanged) {
		t.Fatalf("registry update by another key: %v, want ErrPublisherChanged", err)
	}
	if st, _ := m.Status("dev.warden.hello"); st.Version != "1.0.0" || !st.Runnable {
		t.Fatalf("after the refused update: %+v", st)
	}
}

// TestRegistryPublisherKeyBindsInstall: a registry that lists the
// publisher's full key lets a user who passed no key install a verified,
// bound plugin; whoever holds the registry key later publishes 1.1.0
// signed by another key (listing that key): update refuses it.
func TestRegistryPublisherKeyBindsInstall(t *testing.T) {
	f, err := fixture()
	if err != nil {
		t.Fatal(err)
	}
	otherPK, otherSK := newManagerKey(t)
	dir := t.TempDir()
	regSK, regPK, err := signing.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if _, err := registry.Add(ctx, dir, f.v1, regSK, registry.AddOptions{Publisher: []signing.PublicKey{f.pub}}); err != nil {
		t.Fatal(err)
	}
	c := &registry.Client{IndexURL: dir, Key: regPK}
	m, _, _ := newManager(t, nil)
	res, err := m.InstallFrom(ctx, c, "dev.warden.hello", "^1", InstallOptions{Consent: approve})
	if err != nil {
		t.Fatal(err)
	}
	if res.Plugin.SignerKey != f.pub.String() {
		t.Fatalf("recorded key %q, want the publisher key the index lists", res.Plugin.SignerKey)
	}
	if _, err := registry.Add(ctx, dir, packHello(t, true, otherSK), regSK, registry.AddOptions{Publisher: []signing.PublicKey{otherPK}}); err != nil {
		t.Fatal(err)
	}
	idx, err := c.Index(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Update(ctx, c, idx, "dev.warden.hello", InstallOptions{}); !errors.Is(err, ErrPublisherChanged) {
		t.Fatalf("update listed with another publisher key: %v, want ErrPublisherChanged", err)
	}
}

// legacyManager returns a manager whose store holds dev.warden.hello 1.0.0
// as Warden wrote it before full keys were kept: the signer's key id only.
func legacyManager(t *testing.T, f *fixtureFiles) *Manager {
	t.Helper()
	m, _, db := openManager(t, nil)
	if _, err := m.Install(t.Context(), f.v1, InstallOptions{Consent: approve, Keys: []signing.PublicKey{f.pub}}); err != nil {
		t.Fatal(err)
	}
	err := db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("installed"))
		var rec map[string]any
		if err := json.Unmarshal(b.Get([]byte("dev.warden.hello")), &rec); err != nil {
			return err
		}
		delete(rec, "signer_key")
		rec["signer"] = f.pub.ID().String()
		raw, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		return b.Put([]byte("dev.warden.hello"), raw)
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestLegacySignerStillBindsUpdates: a plugin installed before full keys
// were kept stays bound to the key id it was installed under. A
// compromised registry listing a forged key with that id, or an unsigned
// bundle, cannot update it; the publisher's key given with --pub can (as
// can any key the user passes: that is the user vouching for it, and under
// require_signatures only the policy's keys count); and a change of
// grants in between does not lose the binding.
func TestLegacySignerStillBindsUpdates(t *testing.T) {
	f, err := fixture()
	if err != nil {
		t.Fatal(err)
	}
	forgedSK, forgedPK := forgeKey(t, f.pub.ID())
	refused := []struct {
		name string
		path string
		opts InstallOptions
	}{
		{"forged key listed by a registry", packHello(t, true, forgedSK), InstallOptions{IndexKey: forgedPK, Verified: true}},
		{"unsigned from a registry", packHello(t, true, nil), InstallOptions{Verified: true}},
		{"unsigned", packHello(t, true, nil), InstallOptions{AllowUnsigned: true}},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			m := legacyManager(t, f)
			if _, err := m.Revoke(t.Context(), "dev.warden.hello", []string{"storage"}); err != nil {
				t.Fatal(err)
			}
			_, err := m.Install(t.Context(), tt.path, tt.opts)
			if !errors.Is(err, ErrPublisherChanged) {
				t.Fatalf("update of a legacy-bound plugin: %v, want ErrPublisherChanged", err)
			}
		})
	}
	t.Run("the publisher's key", func(t *testing.T) {
		m := legacyManager(t, f)
		if _, err := m.Install(t.Context(), f.v2, InstallOptions{Consent: approve, Keys: []signing.PublicKey{f.pub}}); err != nil {
			t.Fatalf("update signed by the publisher's key: %v", err)
		}
		st, _ := m.Status("dev.warden.hello")
		if st.SignerKey != f.pub.String() {
			t.Fatalf("after the update the plugin is bound to %q, want the publisher's key", st.SignerKey)
		}
	})
}
