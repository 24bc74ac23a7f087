package bundle

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wardenhq/warden/internal/plugintest"
	"github.com/wardenhq/warden/manifest"
	"github.com/wardenhq/warden/plugins/signing"
)

// helloDir copies the hello example for the test, with a stand-in backend
// (plugintest.Tiny): packing needs a plugin, not its multi-megabyte backend.
func helloDir(t testing.TB) string {
	t.Helper()
	return plugintest.Tiny(t, "hello")
}

// writeSrc writes a plugin source tree and returns its directory.
func writeSrc(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// uiSrc is a plugin with a UI only.
func uiSrc() map[string]string {
	return map[string]string{
		"manifest.json":      testManifest,
		"ui/index.html":      "<!doctype html>\n",
		"ui/css/style.css":   "body{}\n",
		"ui/.DS_Store":       "junk",
		"ui/.git/config":     "junk",
		"notes/README.md":    "not packed",
		"backend/unused.txt": "not packed",
	}
}

// tree lists the regular files under dir by slash path, failing on
// anything else, and checks their modes.
func tree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			if fi.Mode().Perm() != 0o755 {
				t.Errorf("%s: mode %v, want 0755", p, fi.Mode().Perm())
			}
			return nil
		}
		if !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v, want a regular file 0644", p, fi.Mode())
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPackHelloRoundTrip(t *testing.T) {
	t.Parallel()
	sk, pk := newKey(t)
	dir := t.TempDir()
	hello := helloDir(t)
	out := filepath.Join(dir, "hello.wbundle")
	if err := Pack(t.Context(), hello, out, PackOptions{Key: sk}); err != nil {
		t.Fatal(err)
	}
	b, err := Open(out, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if id, err := b.Verify([]signing.PublicKey{pk}); err != nil || id != pk.ID() {
		t.Fatalf("Verify = %v, %v", id, err)
	}
	if m := b.Manifest(); m.ID != "dev.warden.hello" || m.Version != "1.0.0" {
		t.Fatalf("manifest = %s %s", m.ID, m.Version)
	}
	s, err := signing.ParseSignature(b.Signature())
	if err != nil || s.TrustedComment != "id:dev.warden.hello\tversion:1.0.0" {
		t.Errorf("signature = %+v, %v", s, err)
	}
	var names []string
	for _, e := range b.Entries() {
		names = append(names, e.Path)
	}
	want := []string{"backend/hello.wasm", "icons/128.png", "icons/16.png", "icons/48.png", "manifest.json", "ui/app.js", "ui/index.html", "ui/style.css"}
	if !slices.Equal(names, want) {
		t.Fatalf("entries = %v, want %v", names, want)
	}

	x := filepath.Join(dir, "x")
	if err := os.Mkdir(x, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := b.Extract(t.Context(), x); err != nil {
		t.Fatal(err)
	}
	got := tree(t, x)
	if len(got) != len(want)+2 {
		t.Errorf("extracted %d files, want %d", len(got), len(want)+2)
	}
	for _, name := range want {
		src, err := os.ReadFile(filepath.Join(hello, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got[name], src) {
			t.Errorf("extracted %s differs from the source", name)
		}
	}
	if !bytes.Equal(got[ListName], b.EntryList()) || !bytes.Equal(got[SignatureName], b.Signature()) {
		t.Error("extracted WARDEN files differ from the bundle's")
	}

	// Packing again gives the same bytes.
	again := filepath.Join(dir, "again.wbundle")
	if err := Pack(t.Context(), hello, again, PackOptions{Key: sk}); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(out)
	c, _ := os.ReadFile(again)
	if !bytes.Equal(a, c) {
		t.Error("packing twice gave different bundles")
	}
}

func TestPackUIFiles(t *testing.T) {
	t.Parallel()
	src := writeSrc(t, uiSrc())
	out := filepath.Join(t.TempDir(), "t.wbundle")
	if err := Pack(t.Context(), src, out, PackOptions{}); err != nil {
		t.Fatal(err)
	}
	b, err := Open(out, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var names []string
	for _, e := range b.Entries() {
		names = append(names, e.Path)
	}
	if want := []string{"manifest.json", "ui/css/style.css", "ui/index.html"}; !slices.Equal(names, want) {
		t.Fatalf("entries = %v, want %v (hidden files and other directories left out)", names, want)
	}
	if b.Signed() {
		t.Error("bundle packed without a key is signed")
	}
	fi, err := os.Stat(out)
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("bundle mode %v, %v", fi.Mode(), err)
	}
}

func TestPackRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		setup func(t *testing.T, dir string)
		lim   Limits
		want  string
		is    error
	}{
		{name: "invalid manifest", files: map[string]string{"manifest.json": `{"id":"x"}`}, want: "manifest.json", is: manifest.ErrInvalid},
		{name: "no manifest", files: map[string]string{"ui/index.html": "x"}, is: fs.ErrNotExist},
		{name: "ui entry missing", files: map[string]string{"manifest.json": testManifest}, want: "does not exist", is: manifest.ErrInvalid},
		{name: "ui entry at root", files: map[string]string{"manifest.json": strings.Replace(testManifest, "ui/index.html", "index.html", 1), "index.html": "x"}, want: "put the UI in a directory"},
		{name: "reserved directory", files: map[string]string{"manifest.json": strings.Replace(testManifest, "ui/index.html", "WARDEN/index.html", 1), "WARDEN/index.html": "x"}, is: ErrBadName},
		{name: "symlink in ui", files: uiSrc(), setup: func(t *testing.T, dir string) {
			if err := os.Symlink("/etc/passwd", filepath.Join(dir, "ui", "passwd")); err != nil {
				t.Fatal(err)
			}
		}, want: "is a symlink"},
		{name: "too many files", files: uiSrc(), lim: Limits{MaxEntries: 4}, is: ErrTooManyEntries},
		{name: "too large", files: uiSrc(), lim: Limits{MaxTotalSize: 100}, is: ErrTooLarge},
		{name: "case clash", files: map[string]string{"manifest.json": testManifest, "ui/index.html": "a", "ui/Index.html": "b"}, is: ErrDuplicate},
		{name: "zip bomb ratio", files: map[string]string{"manifest.json": testManifest, "ui/index.html": "a", "ui/zeros": string(make([]byte, 2<<20))}, is: ErrCompressionRatio},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := writeSrc(t, tt.files)
			if tt.setup != nil {
				tt.setup(t, src)
			}
			outDir := t.TempDir()
			out := filepath.Join(outDir, "t.wbundle")
			if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			err := Pack(t.Context(), src, out, PackOptions{Limits: tt.lim})
			if err == nil || !strings.Contains(err.Error(), tt.want) || (tt.is != nil && !errors.Is(err, tt.is)) {
				t.Fatalf("Pack = %v; want an error containing %q matching %v", err, tt.want, tt.is)
			}
			if data, _ := os.ReadFile(out); string(data) != "old" {
				t.Error("a failed Pack changed the output file")
			}
			if entries, _ := os.ReadDir(outDir); len(entries) != 1 {
				t.Errorf("a failed Pack left %d files in the output directory", len(entries))
			}
		})
	}
}

func TestSignBundle(t *testing.T) {
	t.Parallel()
	src := writeSrc(t, uiSrc())
	out := filepath.Join(t.TempDir(), "t.wbundle")
	if err := Pack(t.Context(), src, out, PackOptions{}); err != nil {
		t.Fatal(err)
	}
	unsigned, _ := os.ReadFile(out)
	sk1, pk1 := newKey(t)
	if err := Sign(t.Context(), out, sk1, SignOptions{}); err != nil {
		t.Fatal(err)
	}
	b, err := Open(out, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Verify([]signing.PublicKey{pk1}); err != nil {
		t.Fatalf("Verify after Sign: %v", err)
	}
	b.Close()

	// Signing a bundle packed unsigned gives what Pack with the key gives.
	packed := filepath.Join(t.TempDir(), "p.wbundle")
	if err := Pack(t.Context(), src, packed, PackOptions{Key: sk1}); err != nil {
		t.Fatal(err)
	}
	x, _ := os.ReadFile(out)
	y, _ := os.ReadFile(packed)
	if !bytes.Equal(x, y) {
		t.Error("pack then sign differs from pack --key")
	}

	// Signing again replaces the signature.
	sk2, pk2 := newKey(t)
	if err := Sign(t.Context(), out, sk2, SignOptions{TrustedComment: "release 2"}); err != nil {
		t.Fatal(err)
	}
	b, err = Open(out, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := b.Verify([]signing.PublicKey{pk1}); !errors.Is(err, signing.ErrUntrustedKey) {
		t.Errorf("old key after re-signing: %v, want ErrUntrustedKey", err)
	}
	if _, err := b.Verify([]signing.PublicKey{pk2}); err != nil {
		t.Errorf("new key: %v", err)
	}

	// A tampered bundle is not signed.
	bad := bytes.Replace(unsigned, []byte("body{}"), []byte("body{ }"), 1)
	if bytes.Equal(bad, unsigned) {
		// Deflated content: tamper through a crafted zip instead.
		bad = craft(t, testFiles(), bytes.Replace(listFor(testFiles()), []byte(" 18 "), []byte(" 19 "), 1), nil)
	}
	badPath := filepath.Join(t.TempDir(), "bad.wbundle")
	if err := os.WriteFile(badPath, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Sign(t.Context(), badPath, sk1, SignOptions{}); err == nil {
		t.Error("Sign of a tampered bundle succeeded")
	}
	if after, _ := os.ReadFile(badPath); !bytes.Equal(after, bad) {
		t.Error("a refused Sign changed the file")
	}
}
