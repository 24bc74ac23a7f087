package main

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/scrypt"

	"github.com/wardenhq/warden/internal/plugintest"
)

// helloTiny copies examples/hello for the test with a stand-in backend
// (plugintest.Tiny): for tests that pack, install or publish the plugin,
// or see it refused, but never call its backend.
func helloTiny(t testing.TB) string {
	t.Helper()
	return plugintest.Tiny(t, "hello")
}

// mustWarden runs warden and fails the test when it exits non-zero.
func mustWarden(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("warden %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

var keyIDLine = regexp.MustCompile(`(?m)^key id:\s+([0-9A-F]{16})$`)

func TestKeygen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := mustWarden(t, "keygen", "--out", dir)
	m := keyIDLine.FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, filepath.Join(dir, "warden.key")) || !strings.Contains(out, "public key:  RW") {
		t.Fatalf("keygen output:\n%s", out)
	}
	fi, err := os.Stat(filepath.Join(dir, "warden.key"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secret key mode %v, %v; want 0600", fi.Mode(), err)
	}
	pub, err := os.ReadFile(filepath.Join(dir, "warden.pub"))
	if err != nil || !strings.HasPrefix(string(pub), "untrusted comment: minisign public key "+m[1]+"\n") {
		t.Fatalf("public key file %q, %v", pub, err)
	}

	// No silent overwrite.
	before, _ := os.ReadFile(filepath.Join(dir, "warden.key"))
	_, errOut, code := runCLI(t, "keygen", "--out", dir)
	if code == 0 || !strings.Contains(errOut, "--force") {
		t.Fatalf("second keygen: exit %d, stderr %q; want a refusal naming --force", code, errOut)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "warden.key")); !bytes.Equal(before, after) {
		t.Fatal("refused keygen changed the secret key")
	}
	out = mustWarden(t, "keygen", "--out", dir, "--force")
	if m2 := keyIDLine.FindStringSubmatch(out); m2 == nil || m2[1] == m[1] {
		t.Fatalf("keygen --force did not make a new key:\n%s", out)
	}

	// -o FILE puts the public key beside it.
	file := filepath.Join(dir, "release.key")
	mustWarden(t, "keygen", "-o", file)
	if _, err := os.Stat(filepath.Join(dir, "release.pub")); err != nil {
		t.Fatal(err)
	}

	// The default location follows XDG_CONFIG_HOME.
	cfg := t.TempDir()
	if _, errOut, code := wardenEnv(t, append(os.Environ(), "XDG_CONFIG_HOME="+cfg), "keygen"); code != 0 {
		t.Fatalf("keygen: exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(cfg, "warden", "keys", "warden.key")); err != nil {
		t.Fatal(err)
	}
}

// TestPackSignVerify is the author's path: keygen, pack with the key,
// verify with the public key; then tampering makes verify fail.
func TestPackSignVerify(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	key, pub := filepath.Join(dir, "warden.key"), filepath.Join(dir, "warden.pub")
	keyID := keyIDLine.FindStringSubmatch(mustWarden(t, "keygen", "--out", dir))[1]
	bundlePath := filepath.Join(dir, "hello.wbundle")

	out := mustWarden(t, "pack", helloTiny(t), "--key", key, "-o", bundlePath)
	for _, want := range []string{"packed dev.warden.hello 1.0.0", "bundle: " + bundlePath, "sha256: ", "signed: key " + keyID} {
		if !strings.Contains(out, want) {
			t.Errorf("pack output lacks %q:\n%s", want, out)
		}
	}

	out = mustWarden(t, "verify", bundlePath, "--pub", pub)
	for _, want := range []string{"entries:   ok (8 files", "hashes:    ok (8 of 8", "signature: ok (by trusted key " + keyID + ")"} {
		if !strings.Contains(out, want) {
			t.Errorf("verify output lacks %q:\n%s", want, out)
		}
	}
	pubLine := strings.Split(strings.TrimSpace(readFile(t, pub)), "\n")[1]
	mustWarden(t, "verify", bundlePath, "--pub", pubLine)

	out = mustWarden(t, "verify", bundlePath)
	if !strings.Contains(out, "by key "+keyID+"; NOT checked against a trusted key") {
		t.Errorf("verify without --pub:\n%s", out)
	}

	other := filepath.Join(dir, "other")
	mustWarden(t, "keygen", "--out", other)
	_, errOut, code := runCLI(t, "verify", bundlePath, "--pub", filepath.Join(other, "warden.pub"))
	if code == 0 || !strings.Contains(errOut, "untrusted key") || !strings.Contains(errOut, keyID) {
		t.Errorf("verify with another key: exit %d, stderr %q", code, errOut)
	}

	// Tampering: one changed byte in a UI file, re-zipped with the
	// original list and signature.
	tampered := filepath.Join(dir, "tampered.wbundle")
	rezip(t, bundlePath, tampered, "ui/index.html", func(b []byte) []byte { b[0] ^= 0x20; return b })
	out, errOut, code = runCLI(t, "verify", tampered, "--pub", pub)
	if code == 0 || !strings.Contains(errOut, "hash does not match") || !strings.Contains(errOut, "ui/index.html") || !strings.Contains(out, "FAILED") {
		t.Errorf("verify of tampered bundle: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	// And one flipped byte anywhere in the middle of the file.
	data, err := os.ReadFile(bundlePath)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0xff
	flipped := filepath.Join(dir, "flipped.wbundle")
	if err := os.WriteFile(flipped, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runCLI(t, "verify", flipped, "--pub", pub); code == 0 {
		t.Errorf("verify of a flipped byte succeeded: %s", errOut)
	}
}

// TestPackUnsignedThenSign packs without a key into the current
// directory's default name, then signs.
func TestPackUnsignedThenSign(t *testing.T) {
	dir := t.TempDir()
	mustWarden(t, "keygen", "--out", dir)
	hello := helloTiny(t)
	t.Chdir(dir)
	out := mustWarden(t, "pack", hello)
	if !strings.Contains(out, "bundle: dev.warden.hello-1.0.0.wbundle") || !strings.Contains(out, "signed: no") {
		t.Fatalf("pack output:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "dev.warden.hello-1.0.0.wbundle")); err != nil {
		t.Fatal(err)
	}
	out = mustWarden(t, "verify", "dev.warden.hello-1.0.0.wbundle")
	if !strings.Contains(out, "signature: none") {
		t.Errorf("verify of unsigned bundle:\n%s", out)
	}
	if _, errOut, code := runCLI(t, "verify", "dev.warden.hello-1.0.0.wbundle", "--pub", "warden.pub"); code == 0 || !strings.Contains(errOut, "not signed") {
		t.Errorf("verify --pub of unsigned bundle: exit %d, %s", code, errOut)
	}
	if _, errOut, code := runCLI(t, "sign", "dev.warden.hello-1.0.0.wbundle"); code == 0 || !strings.Contains(errOut, "key") {
		t.Errorf("sign without --key: exit %d, %s", code, errOut)
	}
	mustWarden(t, "sign", "dev.warden.hello-1.0.0.wbundle", "--key", "warden.key")
	mustWarden(t, "verify", "dev.warden.hello-1.0.0.wbundle", "--pub", "warden.pub")
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// rezip copies the zip at src to dst with the content of one entry changed.
func rezip(t *testing.T, src, dst, name string, change func([]byte) []byte) {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if f.Name != name {
			if err := zw.Copy(f); err != nil {
				t.Fatal(err)
			}
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var content bytes.Buffer
		content.ReadFrom(rc)
		rc.Close()
		h := f.FileHeader
		w, err := zw.CreateHeader(&h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(change(content.Bytes()))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// encryptKeyFile turns an unencrypted minisign secret key file into an
// encrypted one as minisign does, with small scrypt limits (opslimit 32768,
// memlimit 16 MiB: N=1024, r=8, p=1) so the test is fast.
func encryptKeyFile(t *testing.T, plainFile []byte, password string) []byte {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(string(plainFile)), "\n")
	bin, err := base64.StdEncoding.DecodeString(lines[1])
	if err != nil || len(bin) != 158 {
		t.Fatalf("secret key file: %v", err)
	}
	salt := bytes.Repeat([]byte{7}, 32)
	stream, err := scrypt.Key([]byte(password), salt, 1024, 8, 1, 104)
	if err != nil {
		t.Fatal(err)
	}
	copy(bin[2:4], "Sc")
	copy(bin[6:38], salt)
	binary.LittleEndian.PutUint64(bin[38:], 32768)
	binary.LittleEndian.PutUint64(bin[46:], 16<<20)
	for i := range 104 {
		bin[54+i] ^= stream[i]
	}
	return []byte("untrusted comment: minisign encrypted secret key\n" + base64.StdEncoding.EncodeToString(bin) + "\n")
}

func TestPackWithEncryptedKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustWarden(t, "keygen", "--out", dir)
	key := filepath.Join(dir, "warden.key")
	enc := filepath.Join(dir, "encrypted.key")
	if err := os.WriteFile(enc, encryptKeyFile(t, []byte(readFile(t, key)), "s3cret"), 0o600); err != nil {
		t.Fatal(err)
	}
	bundlePath := filepath.Join(dir, "t.wbundle")
	mustWarden(t, "pack", helloTiny(t), "-o", bundlePath)

	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "WARDEN_KEY_PASSWORD=") })
	_, errOut, code := wardenEnv(t, env, "sign", bundlePath, "--key", enc)
	if code == 0 || !strings.Contains(errOut, "WARDEN_KEY_PASSWORD") {
		t.Fatalf("sign with an encrypted key and no password: exit %d, %s", code, errOut)
	}
	_, errOut, code = wardenEnv(t, append(env, "WARDEN_KEY_PASSWORD=wrong"), "sign", bundlePath, "--key", enc)
	if code == 0 || !strings.Contains(errOut, "wrong password") {
		t.Fatalf("sign with a wrong password: exit %d, %s", code, errOut)
	}
	if _, errOut, code = wardenEnv(t, append(env, "WARDEN_KEY_PASSWORD=s3cret"), "sign", bundlePath, "--key", enc); code != 0 {
		t.Fatalf("sign with the password: exit %d, %s", code, errOut)
	}
	mustWarden(t, "verify", bundlePath, "--pub", filepath.Join(dir, "warden.pub"))
}
