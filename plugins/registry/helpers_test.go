package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/wardenhq/warden/internal/plugintest"
	"github.com/wardenhq/warden/plugins/bundle"
	"github.com/wardenhq/warden/plugins/signing"
)

// helloDir is the plugin the test bundles are made from: a copy of the
// hello example with a stand-in backend (plugintest.Tiny), made by setup.
var helloDir string

// fixtures holds what the tests share: one publisher key and bundles
// packed once per variant, in a directory removed by TestMain.
var fixtures struct {
	once    sync.Once
	err     error
	dir     string
	pub     *signing.SecretKey
	mu      sync.Mutex
	bundles map[string]string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtures.dir != "" {
		os.RemoveAll(fixtures.dir)
	}
	os.Exit(code)
}

// setup copies the example and makes the publisher key, once.
func setup(t testing.TB) {
	t.Helper()
	fixtures.once.Do(func() {
		if fixtures.dir, fixtures.err = os.MkdirTemp("", "warden-registry-test-"); fixtures.err != nil {
			return
		}
		helloDir = filepath.Join(fixtures.dir, "hello")
		if fixtures.err = plugintest.CopyTiny("hello", helloDir); fixtures.err != nil {
			return
		}
		fixtures.pub, _, fixtures.err = signing.GenerateKey(nil)
		fixtures.bundles = map[string]string{}
	})
	if fixtures.err != nil {
		t.Fatalf("set up test bundles: %v", fixtures.err)
	}
}

// variant describes a bundle made from examples/hello.
type variant struct {
	version string
	perms   []string // the manifest's permissions; nil keeps the example's
	extra   string   // appended to ui/app.js, to change the bytes
	name    string   // the manifest's name; empty keeps the example's
	sk      *signing.SecretKey
	// unsigned leaves the bundle unsigned (sk is ignored).
	unsigned bool
}

// packHello returns a bundle of examples/hello as v describes, signed by
// the shared publisher key unless v says otherwise. Bundles are packed
// once per variant and must not be modified: copy them first.
func packHello(t testing.TB, v variant) string {
	t.Helper()
	setup(t)
	if v.sk == nil && !v.unsigned {
		v.sk = fixtures.pub
	}
	key := fmt.Sprintf("%s|%v|%s|%s|%p|%v", v.version, v.perms, v.extra, v.name, v.sk, v.unsigned)
	fixtures.mu.Lock()
	defer fixtures.mu.Unlock()
	if p, ok := fixtures.bundles[key]; ok {
		return p
	}
	src, err := os.MkdirTemp(fixtures.dir, "src-")
	if err != nil {
		t.Fatal(err)
	}
	// Only the built .wasm: Pack has no sources to rebuild it from.
	for _, f := range []string{"manifest.json", "ui/index.html", "ui/app.js", "ui/style.css", "backend/hello.wasm", "icons/16.png", "icons/48.png", "icons/128.png"} {
		copyFile(t, filepath.Join(helloDir, filepath.FromSlash(f)), filepath.Join(src, filepath.FromSlash(f)))
	}
	var m map[string]any
	data, err := os.ReadFile(filepath.Join(src, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	m["version"] = v.version
	if v.name != "" {
		m["name"] = v.name
	}
	if v.perms != nil {
		m["permissions"] = v.perms
	}
	if data, err = json.MarshalIndent(m, "", "  "); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "manifest.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if v.extra != "" {
		f, err := os.OpenFile(filepath.Join(src, "ui", "app.js"), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(f, "\n// %s\n", v.extra)
		f.Close()
	}
	out := filepath.Join(fixtures.dir, fmt.Sprintf("hello-%s-%d.wbundle", v.version, len(fixtures.bundles)))
	opts := bundle.PackOptions{}
	if !v.unsigned {
		opts.Key = v.sk
	}
	if err := bundle.Pack(context.Background(), src, out, opts); err != nil {
		t.Fatalf("pack %s: %v", v.version, err)
	}
	fixtures.bundles[key] = out
	return out
}

// copyFile copies src to dst, creating dst's directory.
func copyFile(t testing.TB, src, dst string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// copyTree copies the regular files under src to dst.
func copyTree(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		copyFile(t, p, filepath.Join(dst, rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// newKey makes a key pair or fails the test.
func newKey(t testing.TB) (*signing.SecretKey, signing.PublicKey) {
	t.Helper()
	sk, pk, err := signing.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return sk, pk
}

// makeRegistry adds bundles of examples/hello in the given versions to a
// new registry directory signed by a new key.
func makeRegistry(t testing.TB, versions ...string) (dir string, sk *signing.SecretKey, pk signing.PublicKey) {
	t.Helper()
	sk, pk = newKey(t)
	dir = filepath.Join(t.TempDir(), "registry")
	for _, v := range versions {
		if _, err := Add(context.Background(), dir, packHello(t, variant{version: v}), sk, AddOptions{}); err != nil {
			t.Fatalf("add %s: %v", v, err)
		}
	}
	return dir, sk, pk
}

// flipByte changes one byte of the file at path, at offset off from the
// start (or from the end when off is negative).
func flipByte(t testing.TB, path string, off int64) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if off < 0 {
		off += int64(len(data))
	}
	data[off] ^= 0x01
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
