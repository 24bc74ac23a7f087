package signing

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardenhq/warden/internal/minisigntest"
)

func TestMinisignVerifiesWarden(t *testing.T) {
	t.Parallel()
	bin := minisigntest.Bin(t)
	dir := t.TempDir()
	sec, pub := filepath.Join(dir, "warden.key"), filepath.Join(dir, "warden.pub")
	sk, pk := newKey(t)
	if err := WriteKeyPair(sec, pub, sk, false); err != nil {
		t.Fatal(err)
	}
	msg := filepath.Join(dir, "entries")
	data := []byte("0123 4 manifest.json\n")
	if err := os.WriteFile(msg, data, 0o644); err != nil {
		t.Fatal(err)
	}
	sig, err := Sign(sk, data, "id:dev.warden.hello\tversion:1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(msg+".minisig", sig, 0o644); err != nil {
		t.Fatal(err)
	}
	out := minisigntest.Run(t, bin, "-V", "-p", pub, "-m", msg)
	if !strings.Contains(out, "Signature and comment signature verified") || !strings.Contains(out, "id:dev.warden.hello\tversion:1.0.0") {
		t.Fatalf("minisign -V output:\n%s", out)
	}
	minisigntest.Run(t, bin, "-V", "-P", pk.String(), "-m", msg, "-x", msg+".minisig")

	// minisign must reject a tampered message: the check above can fail.
	if err := os.WriteFile(msg, append(data, 'x'), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-V", "-p", pub, "-m", msg).CombinedOutput(); err == nil {
		t.Fatalf("minisign accepted a tampered message:\n%s", out)
	}

	// minisign signs with a secret key file written by Warden.
	if err := os.WriteFile(msg, data, 0o644); err != nil {
		t.Fatal(err)
	}
	minisigntest.Run(t, bin, "-S", "-s", sec, "-m", msg, "-x", msg+".by-minisign", "-t", "made by minisign")
	sig2, err := os.ReadFile(msg + ".by-minisign")
	if err != nil {
		t.Fatal(err)
	}
	if id, err := Verify(data, sig2, []PublicKey{pk}); err != nil || id != pk.ID() {
		t.Fatalf("Verify(minisign signature with Warden key) = %v, %v", id, err)
	}
}

func TestWardenVerifiesMinisign(t *testing.T) {
	t.Parallel()
	bin := minisigntest.Bin(t)
	dir := t.TempDir()
	sec, pub := filepath.Join(dir, "mini.key"), filepath.Join(dir, "mini.pub")
	minisigntest.Run(t, bin, "-G", "-W", "-p", pub, "-s", sec)
	pk, err := ReadPublicKeyFile(pub)
	if err != nil {
		t.Fatal(err)
	}
	msg := filepath.Join(dir, "entries")
	data := []byte("ab 2 ui/index.html\n")
	if err := os.WriteFile(msg, data, 0o644); err != nil {
		t.Fatal(err)
	}

	for _, legacy := range []bool{false, true} {
		args := []string{"-S", "-s", sec, "-m", msg, "-t", "signed by minisign"}
		if legacy {
			args = append(args, "-l")
		}
		minisigntest.Run(t, bin, args...)
		sig, err := os.ReadFile(msg + ".minisig")
		if err != nil {
			t.Fatal(err)
		}
		s, err := ParseSignature(sig)
		if err != nil || s.Prehashed == legacy || s.TrustedComment != "signed by minisign" {
			t.Fatalf("legacy=%v: ParseSignature = %+v, %v", legacy, s, err)
		}
		id, err := Verify(data, sig, []PublicKey{pk})
		if err != nil || id != pk.ID() {
			t.Fatalf("legacy=%v: Verify = %v, %v", legacy, id, err)
		}
		if _, err := Verify(append(bytes.Clone(data), ' '), sig, []PublicKey{pk}); err == nil {
			t.Fatalf("legacy=%v: Verify accepted a changed message", legacy)
		}
	}

	// Warden reads minisign's unencrypted secret key and signs with it;
	// minisign verifies.
	sk, err := ReadSecretKeyFile(sec, "")
	if err != nil {
		t.Fatal(err)
	}
	if sk.Public() != pk {
		t.Fatal("secret key read from minisign's file does not match its public key")
	}
	sig, err := Sign(sk, data, "signed by Warden")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(msg+".minisig", sig, 0o644); err != nil {
		t.Fatal(err)
	}
	minisigntest.Run(t, bin, "-V", "-p", pub, "-m", msg)
}
