package main

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sha256File returns the hex SHA-256 of a file.
func sha256File(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func TestRegistryAddAndList(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bundle := packHello(t, dir)
	mustWarden(t, "keygen", "-o", filepath.Join(dir, "reg.key"))
	reg := filepath.Join(dir, "registry")

	out := mustWarden(t, "registry", "add", reg, bundle, "--key", filepath.Join(dir, "reg.key"))
	sum := sha256File(t, bundle)
	for _, want := range []string{
		"added dev.warden.hello 1.0.0\n",
		"url:         bundles/dev.warden.hello-1.0.0.wbundle\n",
		"sha256:      " + sum + "\n",
		"permissions: storage\n",
	} {
		if !strings.Contains(out, want) {
			t.Fatalf("registry add output lacks %q:\n%s", want, out)
		}
	}
	if got := sha256File(t, filepath.Join(reg, "bundles", "dev.warden.hello-1.0.0.wbundle")); got != sum {
		t.Fatalf("the registry's copy has sha256 %s, the bundle %s", got, sum)
	}
	out = mustWarden(t, "registry", "add", reg, bundle, "--key", filepath.Join(dir, "reg.key"))
	if !strings.HasPrefix(out, "unchanged: dev.warden.hello 1.0.0") {
		t.Fatalf("adding again:\n%s", out)
	}

	srv := httptest.NewServer(http.FileServer(http.Dir(reg)))
	defer srv.Close()
	for _, loc := range []string{reg, srv.URL + "/", "file://" + reg + "/index.json"} {
		out, errOut, code := runCLI(t, "registry", "list", loc, "--key", filepath.Join(dir, "reg.pub"))
		if code != 0 || !strings.Contains(out, "signature: ok, signed by registry key") ||
			!strings.Contains(out, "dev.warden.hello  Hello, by Warden") || !strings.Contains(out, "  1.0.0    storage") || errOut != "" {
			t.Fatalf("list %s: exit %d\n%s\n%s", loc, code, out, errOut)
		}
	}

	out, errOut, code := runCLI(t, "registry", "list", srv.URL)
	if code != 0 || !strings.Contains(out, "signature: NOT CHECKED") || !strings.Contains(errOut, "not checked") || !strings.Contains(out, "1.0.0") {
		t.Fatalf("list without a key: exit %d\n%s\n%s", code, out, errOut)
	}

	// The publisher's key is not the registry's.
	_, errOut, code = runCLI(t, "registry", "list", srv.URL, "--key", filepath.Join(dir, "k.pub"))
	if code != 1 || !strings.Contains(errOut, "not by the registry key given") {
		t.Fatalf("list with another key: exit %d\n%s", code, errOut)
	}

	// One byte of the index changed.
	index := filepath.Join(reg, "index.json")
	data, _ := os.ReadFile(index)
	os.WriteFile(index, []byte(strings.Replace(string(data), `"storage"`, `"storagf"`, 1)), 0o644)
	_, errOut, code = runCLI(t, "registry", "list", srv.URL, "--key", filepath.Join(dir, "reg.pub"))
	if code != 1 || !strings.Contains(errOut, "signature does not verify") {
		t.Fatalf("list of a tampered index: exit %d\n%s", code, errOut)
	}
}

func TestRegistryAddRefuses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bundle := packHello(t, dir)
	regKey := filepath.Join(dir, "reg.key")
	mustWarden(t, "keygen", "-o", regKey)
	reg := filepath.Join(dir, "registry")
	mustWarden(t, "registry", "add", reg, bundle, "--key", regKey)

	rebuilt := packHelloEdited(t, helloTiny(t), dir, "1.0.0", func(m string) string {
		return strings.Replace(m, `"name": "Hello"`, `"name": "Hello Again"`, 1)
	})
	_, errOut, code := runCLI(t, "registry", "add", reg, rebuilt, "--key", regKey)
	if code != 1 || !strings.Contains(errOut, "already in the registry with different content") || !strings.Contains(errOut, "--force") {
		t.Fatalf("same version, other bytes: exit %d\n%s", code, errOut)
	}
	out := mustWarden(t, "registry", "add", reg, rebuilt, "--key", regKey, "--force")
	sum := sha256File(t, rebuilt)
	if !strings.Contains(out, "url:         bundles/dev.warden.hello-1.0.0-"+sum[:12]+".wbundle") {
		t.Fatalf("forced replacement:\n%s", out)
	}
	out = mustWarden(t, "registry", "list", reg, "--key", filepath.Join(dir, "reg.pub"))
	if !strings.Contains(out, "Hello Again") {
		t.Fatalf("list after replacement:\n%s", out)
	}

	// The publisher's key cannot sign the registry's index.
	_, errOut, code = runCLI(t, "registry", "add", reg, bundle, "--key", filepath.Join(dir, "k.key"))
	if code != 1 || !strings.Contains(errOut, "not by the registry key given") || !strings.Contains(errOut, "--force") {
		t.Fatalf("add with another key: exit %d\n%s", code, errOut)
	}

	unsigned := filepath.Join(dir, "unsigned.wbundle")
	mustWarden(t, "pack", helloTiny(t), "-o", unsigned)
	_, errOut, code = runCLI(t, "registry", "add", reg, unsigned, "--key", regKey)
	if code != 1 || !strings.Contains(errOut, "not signed") || !strings.Contains(errOut, "warden sign") {
		t.Fatalf("unsigned bundle: exit %d\n%s", code, errOut)
	}

	_, errOut, code = runCLI(t, "registry", "add", reg, bundle)
	if code != 1 || !strings.Contains(errOut, `"key" not set`) {
		t.Fatalf("no --key: exit %d\n%s", code, errOut)
	}
}
