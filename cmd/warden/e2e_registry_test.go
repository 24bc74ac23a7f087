package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// registryFixture is a registry directory with signed hello bundles of
// several versions, served over HTTP on 127.0.0.1.
type registryFixture struct {
	dir, regDir, url, regPub string
	bundles                  map[string]string // version -> bundle file
}

// newRegistryFixture packs the hello plugin in src as 1.0.0 and as each of
// versions.
func newRegistryFixture(t *testing.T, src string, versions ...string) *registryFixture {
	t.Helper()
	f := &registryFixture{dir: t.TempDir(), bundles: map[string]string{}}
	f.bundles["1.0.0"] = packSigned(t, f.dir, src)
	for _, v := range versions {
		perms := `"permissions": ["storage"]`
		if v != "1.0.0" {
			// Every later version also asks for notifications.
			perms = `"permissions": ["storage", "notifications"]`
		}
		f.bundles[v] = packHelloEdited(t, src, f.dir, v, func(m string) string {
			return strings.Replace(m, `"permissions": ["storage"]`, perms, 1)
		})
	}
	regKeys := filepath.Join(f.dir, "registry-keys")
	os.Mkdir(regKeys, 0o755)
	mustPlain(t, "keygen", "-o", filepath.Join(regKeys, "reg.key"))
	f.regPub = filepath.Join(regKeys, "reg.pub")
	f.regDir = filepath.Join(f.dir, "registry")
	srv := httptest.NewServer(http.FileServer(http.Dir(f.regDir)))
	t.Cleanup(srv.Close)
	f.url = srv.URL + "/"
	return f
}

// publish adds version v to the registry.
func (f *registryFixture) publish(t *testing.T, v string) {
	t.Helper()
	mustPlain(t, "registry", "add", f.regDir, f.bundles[v], "--key", filepath.Join(f.dir, "registry-keys", "reg.key"))
}

// TestE2ERegistryInstallUpdateRollback is the registry workflow over a real
// HTTP server: install id@^1, update after a new version is published, the
// update that adds a permission stays disabled until warden grant, and
// rollback returns to the previous version with the plugin's data intact.
func TestE2ERegistryInstallUpdateRollback(t *testing.T) {
	t.Parallel()
	f := newRegistryFixture(t, example(t, "hello"), "1.1.0") // the backend is called
	f.publish(t, "1.0.0")
	prof := filepath.Join(f.dir, "profile")
	w := func(args ...string) (string, string, int) {
		return runCLI(t, append([]string{"--profile", prof, "--policy", filepath.Join(f.dir, "none.json")}, args...)...)
	}
	must := func(args ...string) string {
		t.Helper()
		out, errOut, code := w(args...)
		if code != 0 {
			t.Fatalf("warden %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
		}
		return out
	}

	out := must("install", "dev.warden.hello@^1", "--registry", f.url, "--registry-key", f.regPub, "--grant", "storage")
	if !strings.Contains(out, "installed dev.warden.hello 1.0.0") {
		t.Fatalf("install from the registry:\n%s", out)
	}
	must("call", "dev.warden.hello", "storage.set", `{"key":"greeting","value":"kept across versions"}`)

	// Nothing newer yet; the registry is remembered in the profile.
	if out := must("update"); !strings.Contains(out, "up to date") {
		t.Fatalf("update with nothing newer:\n%s", out)
	}

	f.publish(t, "1.1.0")
	out = must("update")
	if !strings.Contains(out, "updated dev.warden.hello 1.0.0 -> 1.1.0") || !strings.Contains(out, "warden grant dev.warden.hello notifications") {
		t.Fatalf("update to 1.1.0:\n%s", out)
	}
	if out := must("info", "dev.warden.hello"); !strings.Contains(out, "state:      disabled") {
		t.Fatalf("an update asking for a new permission must leave the plugin disabled:\n%s", out)
	}
	if _, errOut, code := w("call", "dev.warden.hello", "backend.greet", `"Ada"`); code == 0 || !strings.Contains(errOut, "disabled") {
		t.Fatalf("a disabled plugin answered (exit %d): %s", code, errOut)
	}
	must("grant", "dev.warden.hello", "notifications")
	if out := must("call", "dev.warden.hello", "backend.greet", `"Ada"`); !strings.Contains(out, "Hello, Ada!") {
		t.Fatalf("after grant: %s", out)
	}

	out = must("rollback", "dev.warden.hello")
	if !strings.Contains(out, "from 1.1.0 to 1.0.0") {
		t.Fatalf("rollback:\n%s", out)
	}
	if out := must("call", "dev.warden.hello", "storage.get", `{"key":"greeting"}`); !strings.Contains(out, "kept across versions") {
		t.Fatalf("data after rollback: %s", out)
	}
}

// TestE2ERegistryPolicyPicksVersion checks, against a registry holding
// 1.0.0, 1.1.0, 1.9.0 and 2.0.0, that a range pin >=1.2 <2 installs 1.9.0
// and not 2.0.0, that an exact pin wins over newer versions, and that a
// tampered bundle on the server is refused with nothing installed.
func TestE2ERegistryPolicyPicksVersion(t *testing.T) {
	t.Parallel()
	f := newRegistryFixture(t, helloTiny(t), "1.1.0", "1.9.0", "2.0.0")
	for _, v := range []string{"1.0.0", "1.1.0", "1.9.0", "2.0.0"} {
		f.publish(t, v)
	}
	install := func(policy string) (version, errOut string) {
		t.Helper()
		d := t.TempDir()
		pol := filepath.Join(d, "policy.json")
		if err := os.WriteFile(pol, []byte(policy), 0o644); err != nil {
			t.Fatal(err)
		}
		prof := filepath.Join(d, "profile")
		_, errOut, _ = runCLI(t, "--profile", prof, "--policy", pol, "install", "dev.warden.hello",
			"--registry", f.url, "--registry-key", f.regPub, "--grant", "storage", "--grant", "notifications")
		return listState(t, prof, "--policy", pol), errOut
	}
	if v, e := install(`{"policy_version":1,"default":"allow"}`); v != "2.0.0" {
		t.Fatalf("no policy: installed %q, want the newest 2.0.0\n%s", v, e)
	}
	if v, e := install(`{"policy_version":1,"default":"allow","plugins":[{"id":"dev.warden.hello","versions":">=1.2 <2"}]}`); v != "1.9.0" {
		t.Fatalf("range pin >=1.2 <2: installed %q, want 1.9.0\n%s", v, e)
	}
	if v, e := install(`{"policy_version":1,"default":"allow","plugins":[{"id":"dev.warden.*","pin":"1.1.0"}]}`); v != "1.1.0" {
		t.Fatalf("exact pin 1.1.0: installed %q, want 1.1.0\n%s", v, e)
	}

	// One flipped byte in the 1.9.0 bundle on the server.
	var file string
	filepath.WalkDir(f.regDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.Contains(filepath.Base(p), "1.9.0") {
			file = p
		}
		return nil
	})
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x40
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	v, e := install(`{"policy_version":1,"default":"allow","plugins":[{"id":"dev.warden.hello","versions":">=1.2 <2"}]}`)
	if v != "" || !strings.Contains(strings.ToLower(e), "sha-256") && !strings.Contains(strings.ToLower(e), "sha256") {
		t.Fatalf("tampered bundle: installed %q, error %q; want a hash refusal and nothing installed", v, e)
	}
}

// packHelloEdited packs a copy of the hello plugin in src with version and
// the manifest changed by edit, signed with dir/k.key.
func packHelloEdited(t *testing.T, src, dir, version string, edit func(string) string) string {
	t.Helper()
	dst := filepath.Join(dir, "hello-src-"+version)
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	mf := filepath.Join(dst, "manifest.json")
	b, err := os.ReadFile(mf)
	if err != nil {
		t.Fatal(err)
	}
	m := strings.Replace(string(b), `"version": "1.0.0"`, `"version": "`+version+`"`, 1)
	if err := os.WriteFile(mf, []byte(edit(m)), 0o644); err != nil {
		t.Fatal(err)
	}
	touchWasm(t, dst)
	out := filepath.Join(dir, "hello-"+version+".wbundle")
	mustPlain(t, "pack", dst, "--key", filepath.Join(dir, "k.key"), "-o", out)
	return out
}

// TestE2ERegistryRefusesReplayedIndex: once warden has read an index, a
// server that goes back to an older, validly signed index (a stale mirror,
// or an attacker hiding an update) is refused instead of trusted.
func TestE2ERegistryRefusesReplayedIndex(t *testing.T) {
	t.Parallel()
	f := newRegistryFixture(t, helloTiny(t), "1.1.0")
	f.publish(t, "1.0.0")
	old := t.TempDir()
	copyIndex(t, f.regDir, old)
	prof := filepath.Join(f.dir, "profile")
	w := func(args ...string) (string, string, int) {
		return runCLI(t, append([]string{"--profile", prof, "--policy", filepath.Join(f.dir, "none.json")}, args...)...)
	}
	if out, errOut, code := w("install", "dev.warden.hello@^1", "--registry", f.url, "--registry-key", f.regPub, "--grant", "storage"); code != 0 {
		t.Fatalf("install: exit %d\n%s%s", code, out, errOut)
	}
	f.publish(t, "1.1.0")
	if out, errOut, code := w("update"); code != 0 || !strings.Contains(out, "1.0.0 -> 1.1.0") {
		t.Fatalf("update: exit %d\n%s%s", code, out, errOut)
	}
	if out, errOut, code := w("rollback", "dev.warden.hello"); code != 0 {
		t.Fatalf("rollback: exit %d\n%s%s", code, out, errOut)
	}
	// The server goes back to the index that does not list 1.1.0.
	copyIndex(t, old, f.regDir)
	out, errOut, code := w("update")
	t.Logf("update against a replayed index: %s", errOut)
	if code == 0 || strings.Contains(out, "up to date") || !strings.Contains(errOut, "older than one seen before") {
		t.Fatalf("update against a replayed index: exit %d\n%s%s", code, out, errOut)
	}
}

// copyIndex copies a registry's index and its signature from one directory
// to another.
func copyIndex(t *testing.T, from, to string) {
	t.Helper()
	for _, name := range []string{"index.json", "index.json.minisig"} {
		b, err := os.ReadFile(filepath.Join(from, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
