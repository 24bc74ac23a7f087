package bundle

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardenhq/warden/internal/minisigntest"
	"github.com/wardenhq/warden/plugins/signing"
)

// TestMinisignVerifiesPackedBundle: a bundle signed by Warden, extracted,
// verifies with `minisign -V`, and the extracted files match the list.
func TestMinisignVerifiesPackedBundle(t *testing.T) {
	t.Parallel()
	bin := minisigntest.Bin(t)
	dir := t.TempDir()
	sk, _ := newKey(t)
	pub := filepath.Join(dir, "warden.pub")
	if err := signing.WriteKeyPair(filepath.Join(dir, "warden.key"), pub, sk, false); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "hello.wbundle")
	if err := Pack(t.Context(), helloDir(t), out, PackOptions{Key: sk}); err != nil {
		t.Fatal(err)
	}
	b, err := Open(out, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	x := filepath.Join(dir, "x")
	if err := os.Mkdir(x, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := b.Extract(t.Context(), x); err != nil {
		t.Fatal(err)
	}
	list := filepath.Join(x, filepath.FromSlash(ListName))
	got := minisigntest.Run(t, bin, "-V", "-p", pub, "-m", list, "-x", filepath.Join(x, filepath.FromSlash(SignatureName)))
	if !strings.Contains(got, "Signature and comment signature verified") || !strings.Contains(got, "id:dev.warden.hello\tversion:1.0.0") {
		t.Fatalf("minisign -V:\n%s", got)
	}
	// What minisign verified is the hash of every file: check them the
	// way a shell script with sha256sum would.
	data, err := os.ReadFile(list)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		fields := strings.SplitN(line, " ", 3)
		content, err := os.ReadFile(filepath.Join(x, filepath.FromSlash(fields[2])))
		if err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256(content); hex.EncodeToString(sum[:]) != fields[0] {
			t.Errorf("%s: sha256 differs from the signed list", fields[2])
		}
	}
	// And minisign refuses a changed list, so the check above can fail.
	if err := os.WriteFile(list, append(data, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-V", "-p", pub, "-m", list, "-x", filepath.Join(x, filepath.FromSlash(SignatureName))).CombinedOutput(); err == nil {
		t.Fatalf("minisign accepted a changed list:\n%s", out)
	}
}

// TestWardenAcceptsMinisignSignature: a signature made by `minisign -S`
// over the entry list of an unsigned bundle, put in as
// WARDEN/entries.minisig, verifies with Warden and the minisign key.
func TestWardenAcceptsMinisignSignature(t *testing.T) {
	t.Parallel()
	bin := minisigntest.Bin(t)
	dir := t.TempDir()
	sec, pub := filepath.Join(dir, "mini.key"), filepath.Join(dir, "mini.pub")
	minisigntest.Run(t, bin, "-G", "-W", "-p", pub, "-s", sec)
	pk, err := signing.ReadPublicKeyFile(pub)
	if err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(dir, "hello.wbundle")
	if err := Pack(t.Context(), helloDir(t), out, PackOptions{}); err != nil {
		t.Fatal(err)
	}
	b, err := Open(out, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	list := filepath.Join(dir, "entries")
	if err := os.WriteFile(list, b.EntryList(), 0o644); err != nil {
		t.Fatal(err)
	}
	b.Close()
	minisigntest.Run(t, bin, "-S", "-s", sec, "-m", list, "-t", "signed with minisign")
	sig, err := os.ReadFile(list + ".minisig")
	if err != nil {
		t.Fatal(err)
	}

	signed := filepath.Join(dir, "signed.wbundle")
	addEntry(t, out, signed, SignatureName, sig)
	sb, err := Open(signed, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	id, err := sb.Verify([]signing.PublicKey{pk})
	if err != nil || id != pk.ID() {
		t.Fatalf("Verify = %v, %v; want key %v", id, err, pk.ID())
	}
	_, other := newKey(t)
	if _, err := sb.Verify([]signing.PublicKey{other}); err == nil {
		t.Fatal("Verify with another key succeeded")
	}
}

// addEntry copies the zip at src to dst with one more stored entry.
func addEntry(t *testing.T, src, dst, name string, data []byte) {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
