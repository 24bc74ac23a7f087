package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestE2EUpdateByAnotherPublisher drives the warden CLI as an attacker who
// got a user to install a newer version of a plugin signed by the
// attacker's own key (passing that key with --pub, as a "publisher key"):
// refused, the installed version stays; only --accept-new-publisher
// installs it, and then as a new install that asks for every permission.
func TestE2EUpdateByAnotherPublisher(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	v1 := packHello(t, dir)
	evilDir := filepath.Join(dir, "evil")
	if err := os.Mkdir(evilDir, 0o755); err != nil {
		t.Fatal(err)
	}
	mustPlain(t, "keygen", "-o", filepath.Join(evilDir, "k.key"))
	evil := packHelloEdited(t, helloTiny(t), evilDir, "1.1.0", func(m string) string {
		return strings.Replace(m, `"permissions": ["storage"]`, `"permissions": ["storage", "notifications"]`, 1)
	})
	prof := filepath.Join(dir, "profile")
	w := func(args ...string) (string, string, int) {
		return runCLI(t, append([]string{"--profile", prof, "--policy", filepath.Join(dir, "none.json")}, args...)...)
	}
	if out, errOut, code := w("install", v1, "--pub", filepath.Join(dir, "k.pub"), "--grant", "storage"); code != 0 {
		t.Fatalf("install 1.0.0: exit %d\n%s%s", code, out, errOut)
	}

	out, errOut, code := w("install", evil, "--pub", filepath.Join(evilDir, "k.pub"))
	if code == 0 || !strings.Contains(errOut, "not signed by the installed version's publisher") || !strings.Contains(errOut, "--accept-new-publisher") {
		t.Fatalf("update signed by another key: exit %d\n%s%s", code, out, errOut)
	}
	if out, _, _ := w("info", "dev.warden.hello"); !strings.Contains(out, "Hello 1.0.0") || !strings.Contains(out, "state:      enabled") {
		t.Fatalf("after the refused update:\n%s", out)
	}

	// Accepting the new publisher is a new install: --grant must cover
	// every permission again, storage included.
	if out, errOut, code := w("install", evil, "--pub", filepath.Join(evilDir, "k.pub"), "--accept-new-publisher", "--grant", "notifications"); code == 0 {
		t.Fatalf("new publisher accepted without consent to storage:\n%s%s", out, errOut)
	}
	out, errOut, code = w("install", evil, "--pub", filepath.Join(evilDir, "k.pub"), "--accept-new-publisher", "--grant", "storage", "--grant", "notifications")
	if code != 0 || !strings.Contains(out, "WARNING: this replaces dev.warden.hello 1.0.0") || !strings.Contains(out, "from a new publisher") {
		t.Fatalf("accepting the new publisher: exit %d\n%s%s", code, out, errOut)
	}
}
