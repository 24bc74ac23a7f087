package manager

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.etcd.io/bbolt"

	"github.com/wardenhq/warden/internal/plugintest"
	"github.com/wardenhq/warden/permissions"
	"github.com/wardenhq/warden/plugins/bundle"
	"github.com/wardenhq/warden/plugins/policy"
	"github.com/wardenhq/warden/plugins/signing"
	"github.com/wardenhq/warden/plugins/store"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
	os.Exit(code)
}

// fixtureDir holds the packed bundles once fixture has run.
var fixtureDir string

// fixture packs the hello example as 1.0.0 and as 1.1.0 asking also for
// notifications (and for clipboard.read and dialog as optional), both signed with one key, once per test binary.
var fixture = sync.OnceValues(func() (*fixtureFiles, error) {
	dir, err := os.MkdirTemp("", "warden-manager-test-")
	if err != nil {
		return nil, err
	}
	fixtureDir = dir
	sk, pk, err := signing.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	f := &fixtureFiles{pub: pk, v1: filepath.Join(dir, "v1.wbundle"), v2: filepath.Join(dir, "v2.wbundle"), unsigned: filepath.Join(dir, "u.wbundle")}
	// The hello example with a stand-in backend: these tests install
	// bundles, they never run one.
	src := filepath.Join(dir, "hello")
	if err := plugintest.CopyTiny("hello", src); err != nil {
		return nil, err
	}
	if err := bundle.Pack(context.Background(), src, f.v1, bundle.PackOptions{Key: sk}); err != nil {
		return nil, err
	}
	if err := bundle.Pack(context.Background(), src, f.unsigned, bundle.PackOptions{}); err != nil {
		return nil, err
	}
	v2 := filepath.Join(dir, "hello2")
	if err := os.CopyFS(v2, os.DirFS(src)); err != nil {
		return nil, err
	}
	mf := filepath.Join(v2, "manifest.json")
	b, err := os.ReadFile(mf)
	if err != nil {
		return nil, err
	}
	m := strings.Replace(string(b), `"version": "1.0.0"`, `"version": "1.1.0"`, 1)
	m = strings.Replace(m, `"permissions": ["storage"]`, `"permissions": ["storage", "notifications"], "optional_permissions": ["clipboard.read", "dialog"]`, 1)
	if err := os.WriteFile(mf, []byte(m), 0o644); err != nil {
		return nil, err
	}
	if err := bundle.Pack(context.Background(), v2, f.v2, bundle.PackOptions{Key: sk}); err != nil {
		return nil, err
	}
	return f, nil
})

type fixtureFiles struct {
	pub              signing.PublicKey
	v1, v2, unsigned string
}

type purger struct{ purged []string }

func (p *purger) PurgeData(id string) error { p.purged = append(p.purged, id); return nil }

func newManager(t *testing.T, pol *policy.Policy) (*Manager, *purger, *fixtureFiles) {
	t.Helper()
	f, err := fixture()
	if err != nil {
		t.Fatal(err)
	}
	m, p, _ := openManager(t, pol)
	return m, p, f
}

// openManager returns a manager over a fresh profile and its state file.
func openManager(t *testing.T, pol *policy.Policy) (*Manager, *purger, *bbolt.DB) {
	t.Helper()
	profile := t.TempDir()
	db, err := bbolt.Open(filepath.Join(profile, "state.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st, err := store.Open(db, profile)
	if err != nil {
		t.Fatal(err)
	}
	p := &purger{}
	m, err := New(Options{Store: st, Policy: func() *policy.Policy { return pol }, HostVersion: "0.1.0", Purge: p})
	if err != nil {
		t.Fatal(err)
	}
	return m, p, db
}

func approve(context.Context, ConsentRequest) error { return nil }

func TestRefusedConsentLeavesNothing(t *testing.T) {
	m, _, f := newManager(t, nil)
	var asked ConsentRequest
	_, err := m.Install(t.Context(), f.v1, InstallOptions{Keys: []signing.PublicKey{f.pub}, Consent: func(_ context.Context, r ConsentRequest) error {
		asked = r
		return ErrConsentRefused
	}})
	if !errors.Is(err, ErrConsentRefused) {
		t.Fatalf("err = %v, want ErrConsentRefused", err)
	}
	if len(asked.Permissions) != 1 || asked.Permissions[0].Name != "storage" || asked.Permissions[0].Description == "" {
		t.Fatalf("consent asked for %+v, want storage with its description", asked.Permissions)
	}
	if list, _ := m.List(); len(list) != 0 {
		t.Fatalf("installed after a refusal: %+v", list)
	}
	for _, d := range []string{"plugins", "staging"} {
		es, _ := os.ReadDir(filepath.Join(m.Store().Profile(), d))
		if len(es) != 0 {
			t.Fatalf("%s holds %d entries after a refusal", d, len(es))
		}
	}
}

func TestSignatures(t *testing.T) {
	m, _, f := newManager(t, nil)
	if _, err := m.Install(t.Context(), f.unsigned, InstallOptions{Consent: approve}); !errors.Is(err, ErrUnsigned) {
		t.Fatalf("unsigned without AllowUnsigned: %v, want ErrUnsigned", err)
	}
	other, _ := newManagerKey(t)
	if _, err := m.Install(t.Context(), f.v1, InstallOptions{Consent: approve, Keys: []signing.PublicKey{other}}); !errors.Is(err, signing.ErrUntrustedKey) {
		t.Fatalf("signed by another key than the one given: %v, want ErrUntrustedKey", err)
	}
	res, err := m.Install(t.Context(), f.v1, InstallOptions{Consent: approve, Keys: []signing.PublicKey{f.pub}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Plugin.Signer != f.pub.ID().String() || !strings.Contains(res.Signer, "trusted") {
		t.Fatalf("signer %q (%s), want the verified key", res.Plugin.Signer, res.Signer)
	}
}

func newManagerKey(t *testing.T) (signing.PublicKey, *signing.SecretKey) {
	t.Helper()
	sk, pk, err := signing.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return pk, sk
}

func TestUpdatePendingGrantRollback(t *testing.T) {
	m, p, f := newManager(t, nil)
	ctx := t.Context()
	keys := []signing.PublicKey{f.pub}
	if _, err := m.Install(ctx, f.v1, InstallOptions{Consent: approve, Keys: keys}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Install(ctx, f.v1, InstallOptions{Consent: approve, Keys: keys}); !errors.Is(err, ErrNotNewer) {
		t.Fatalf("same version again: %v, want ErrNotNewer", err)
	}
	res, err := m.Install(ctx, f.v2, InstallOptions{Keys: keys}) // no consent needed for an update
	if err != nil {
		t.Fatal(err)
	}
	if !res.Updated || res.From != "1.0.0" || !slices.Equal(res.Pending, []string{"notifications"}) {
		t.Fatalf("update result %+v", res)
	}
	st, _ := m.Status("dev.warden.hello")
	if st.Runnable || st.State != "disabled" || !strings.Contains(st.Reason, "notifications") {
		t.Fatalf("after an update asking for more: %+v", st)
	}
	if _, err := m.Enable(ctx, "dev.warden.hello"); !errors.Is(err, ErrPending) {
		t.Fatalf("enable with pending permissions: %v, want ErrPending", err)
	}
	if _, err := m.Grant(ctx, "dev.warden.hello", []string{"clipboard.write"}); !errors.Is(err, ErrNotDeclared) {
		t.Fatalf("grant of an undeclared permission: %v, want ErrNotDeclared", err)
	}
	rec, err := m.Grant(ctx, "dev.warden.hello", []string{"notifications"})
	if err != nil {
		t.Fatal(err)
	}
	if !rec.Enabled || len(rec.Pending) != 0 {
		t.Fatalf("after grant: %+v", rec)
	}
	rec, err = m.Rollback(ctx, "dev.warden.hello")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Version != "1.0.0" || !rec.Enabled || len(rec.Pending) != 0 {
		t.Fatalf("after rollback: %+v", rec)
	}
	if _, err := m.Revoke(ctx, "dev.warden.hello", []string{"http"}); err == nil {
		t.Fatal("revoking a permission never granted succeeded")
	}
	if err := m.Uninstall(ctx, "dev.warden.hello", true); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.purged, []string{"dev.warden.hello"}) {
		t.Fatalf("purged %v", p.purged)
	}
}

// TestAlwaysGrantedPermissions: log and events, which every plugin has, and
// the permission of the plugin's own backend command, can be neither
// granted nor revoked, and the error says so instead of "not declared" or
// "not granted".
func TestAlwaysGrantedPermissions(t *testing.T) {
	m, _, f := newManager(t, nil)
	ctx := t.Context()
	if _, err := m.Install(ctx, f.v1, InstallOptions{Consent: approve, Keys: []signing.PublicKey{f.pub}}); err != nil {
		t.Fatal(err)
	}
	before, err := m.Store().Get("dev.warden.hello")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ perm, why string }{
		{"log", "always granted to every plugin"},
		{"events", "always granted to every plugin"},
		{"backend.greet", `always granted with the plugin's command "greet"`},
	}
	for _, tt := range tests {
		_, err := m.Grant(ctx, "dev.warden.hello", []string{"storage", tt.perm})
		if !errors.Is(err, ErrAlwaysGranted) || !strings.Contains(err.Error(), tt.why+"; there is nothing to grant") {
			t.Errorf("grant %s: %v, want ErrAlwaysGranted saying %q", tt.perm, err, tt.why)
		}
		_, err = m.Revoke(ctx, "dev.warden.hello", []string{tt.perm})
		if !errors.Is(err, ErrAlwaysGranted) || !strings.Contains(err.Error(), tt.why+", and cannot be revoked") {
			t.Errorf("revoke %s: %v, want ErrAlwaysGranted saying %q", tt.perm, err, tt.why)
		}
	}
	// A backend command the manifest does not list is not declared.
	if _, err := m.Grant(ctx, "dev.warden.hello", []string{"backend.nope"}); !errors.Is(err, ErrNotDeclared) {
		t.Errorf("grant backend.nope: %v, want ErrNotDeclared", err)
	}
	after, err := m.Store().Get("dev.warden.hello")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(grantNames(before.Grants), grantNames(after.Grants)) {
		t.Errorf("grants changed from %v to %v", before.Grants, after.Grants)
	}
}

// TestRememberConsent: the user's answers to a plugin's run-time request
// are kept in its record; a "no" is forgotten by grant and by revoke, and
// only optional permissions can be answered.
func TestRememberConsent(t *testing.T) {
	m, _, f := newManager(t, nil)
	ctx := t.Context()
	const id = "dev.warden.hello"
	if _, err := m.Install(ctx, f.v2, InstallOptions{Consent: approve, Keys: []signing.PublicKey{f.pub}}); err != nil {
		t.Fatal(err)
	}
	if err := m.RememberConsent(ctx, id, []string{"storage"}, true); !errors.Is(err, ErrNotDeclared) {
		t.Fatalf("an answer for a required permission: %v, want ErrNotDeclared", err)
	}
	if err := m.RememberConsent(ctx, id, []string{"clipboard.read"}, true); err != nil {
		t.Fatal(err)
	}
	if err := m.RememberConsent(ctx, id, []string{"dialog"}, false); err != nil {
		t.Fatal(err)
	}
	rec, err := m.Store().Get(id)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rec.Grants["clipboard.read"]; !ok || len(rec.Denied) != 1 || rec.Denied["dialog"].IsZero() {
		t.Fatalf("after allow clipboard.read and deny dialog: grants %v, denied %v", grantNames(rec.Grants), rec.Denied)
	}
	// Revoke forgets the "no" as well as a grant.
	if _, err := m.Revoke(ctx, id, []string{"dialog", "clipboard.read"}); err != nil {
		t.Fatal(err)
	}
	if rec, _ = m.Store().Get(id); len(rec.Denied) != 0 || rec.Grants["clipboard.read"] != (permissions.Grant{}) {
		t.Fatalf("after revoke: grants %v, denied %v", grantNames(rec.Grants), rec.Denied)
	}
	// A denial that grant overrides.
	if err := m.RememberConsent(ctx, id, []string{"dialog"}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Grant(ctx, id, []string{"dialog"}); err != nil {
		t.Fatal(err)
	}
	if rec, _ = m.Store().Get(id); len(rec.Denied) != 0 || rec.Grants["dialog"].GrantedAt.IsZero() {
		t.Fatalf("after grant: grants %v, denied %v", grantNames(rec.Grants), rec.Denied)
	}
}

func TestPolicyBlocksAndStatus(t *testing.T) {
	pol, err := policy.Parse([]byte(`{"policy_version":1,"default":"allow","plugins":[{"id":"dev.warden.*","versions":">=1.1"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	m, _, f := newManager(t, pol)
	keys := []signing.PublicKey{f.pub}
	if _, err := m.Install(t.Context(), f.v1, InstallOptions{Consent: approve, Keys: keys}); !errors.Is(err, policy.ErrVersionNotAllowed) {
		t.Fatalf("1.0.0 under >=1.1: %v, want ErrVersionNotAllowed", err)
	}
	if _, err := m.Install(t.Context(), f.v2, InstallOptions{Consent: approve, Keys: keys}); err != nil {
		t.Fatal(err)
	}
	st, _ := m.Status("dev.warden.hello")
	if !st.Runnable {
		t.Fatalf("1.1.0 under >=1.1: %+v", st)
	}
}
