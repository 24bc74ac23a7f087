package registry

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/wardenhq/warden/internal/minisigntest"
	"github.com/wardenhq/warden/plugins/bundle"
	"github.com/wardenhq/warden/plugins/signing"
)

// readIndex verifies and parses the index in dir with pk.
func readIndex(t *testing.T, dir string, pk signing.PublicKey) *Index {
	t.Helper()
	ix, err := (&Client{IndexURL: dir, Key: pk}).Index(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func TestAddCreatesRegistry(t *testing.T) {
	t.Parallel()
	sk, pk := newKey(t)
	dir := filepath.Join(t.TempDir(), "new", "registry")
	src := packHello(t, variant{version: "2.0.0", perms: []string{"storage", "notifications"}})
	v, err := Add(t.Context(), dir, src, sk, AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Open(src, bundle.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	d := b.Digest()
	signer, _ := b.Signer()
	want := Version{ID: "dev.warden.hello", Version: "2.0.0", URL: "bundles/dev.warden.hello-2.0.0.wbundle", Size: b.Size(),
		Host: ">=0.1.0 <1.0.0", Signer: signer}
	if v.ID != want.ID || v.Version != want.Version || v.URL != want.URL || v.Size != want.Size || v.Host != want.Host ||
		v.Signer != want.Signer || v.SHA256 != hex.EncodeToString(d[:]) || v.Published.IsZero() ||
		strings.Join(v.Permissions, ",") != "storage,notifications" {
		t.Fatalf("Add returned %+v", v)
	}
	got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(v.URL)))
	if err != nil {
		t.Fatal(err)
	}
	orig, _ := os.ReadFile(src)
	if !bytes.Equal(got, orig) {
		t.Fatal("the registry's copy differs from the bundle")
	}
	ix := readIndex(t, dir, pk)
	if vs := ix.Versions("dev.warden.hello"); len(vs) != 1 || vs[0].SHA256 != v.SHA256 || !vs[0].Published.Equal(v.Published) {
		t.Fatalf("index holds %+v", vs)
	}
	onlyFiles(t, dir, ".lock", BundlesDir, IndexName, SignatureName)
	onlyFiles(t, filepath.Join(dir, BundlesDir), "dev.warden.hello-2.0.0.wbundle")
	sig, err := signing.ParseSignature(mustRead(t, filepath.Join(dir, SignatureName)))
	if err != nil || !strings.HasPrefix(sig.TrustedComment, "timestamp:") || !strings.Contains(sig.TrustedComment, "\tfile:index.json") {
		t.Fatalf("signature %+v, %v", sig, err)
	}
}

func TestAddKeepsVersionsSortedAndNamesFromHighest(t *testing.T) {
	t.Parallel()
	sk, pk := newKey(t)
	dir := filepath.Join(t.TempDir(), "registry")
	for _, v := range []variant{{version: "1.10.0"}, {version: "2.0.0", name: "Hello Two"}, {version: "1.9.0", name: "Hello Old"}, {version: "1.0.0"}} {
		if _, err := Add(t.Context(), dir, packHello(t, v), sk, AddOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	ix := readIndex(t, dir, pk)
	if name := ix.Plugins["dev.warden.hello"].Name; name != "Hello Two" {
		t.Fatalf("name %q, want the highest version's", name)
	}
	vs := ix.Versions("dev.warden.hello")
	var got []string
	for _, v := range vs {
		got = append(got, v.Version)
	}
	if strings.Join(got, " ") != "1.0.0 1.9.0 1.10.0 2.0.0" {
		t.Fatalf("versions %v", got)
	}
	data := string(mustRead(t, filepath.Join(dir, IndexName)))
	if strings.Index(data, `"1.9.0"`) > strings.Index(data, `"1.10.0"`) {
		t.Fatalf("index.json not in semver order:\n%s", data)
	}
}

func TestAddIsIdempotent(t *testing.T) {
	t.Parallel()
	dir, sk, _ := makeRegistry(t, "1.0.0")
	before := mustRead(t, filepath.Join(dir, IndexName))
	beforeSig := mustRead(t, filepath.Join(dir, SignatureName))
	v, err := Add(t.Context(), dir, packHello(t, variant{version: "1.0.0"}), sk, AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if v.Version != "1.0.0" || v.ID != "dev.warden.hello" {
		t.Fatalf("returned %+v", v)
	}
	if !bytes.Equal(before, mustRead(t, filepath.Join(dir, IndexName))) || !bytes.Equal(beforeSig, mustRead(t, filepath.Join(dir, SignatureName))) {
		t.Fatal("adding the same bundle again rewrote the index")
	}
	// A missing bundle file is restored.
	os.Remove(filepath.Join(dir, filepath.FromSlash(v.URL)))
	if _, err := Add(t.Context(), dir, packHello(t, variant{version: "1.0.0"}), sk, AddOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(v.URL))); err != nil {
		t.Fatalf("bundle not restored: %v", err)
	}
}

func TestAddRefusesOtherBytesUnlessForced(t *testing.T) {
	t.Parallel()
	dir, sk, pk := makeRegistry(t, "1.0.0", "1.1.0")
	before := mustRead(t, filepath.Join(dir, IndexName))
	other := packHello(t, variant{version: "1.0.0", extra: "rebuilt"})
	_, err := Add(t.Context(), dir, other, sk, AddOptions{})
	if !errors.Is(err, ErrVersionExists) || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("got %v, want ErrVersionExists", err)
	}
	if !bytes.Equal(before, mustRead(t, filepath.Join(dir, IndexName))) {
		t.Fatal("refused add changed the index")
	}
	onlyFiles(t, filepath.Join(dir, BundlesDir), "dev.warden.hello-1.0.0.wbundle", "dev.warden.hello-1.1.0.wbundle")

	v, err := Add(t.Context(), dir, other, sk, AddOptions{Force: true})
	if err != nil {
		t.Fatal(err)
	}
	// The replacement gets its own URL, so that no URL changes content,
	// and the old file goes.
	want := "bundles/dev.warden.hello-1.0.0-" + v.SHA256[:12] + ".wbundle"
	if v.URL != want {
		t.Fatalf("URL %s, want %s", v.URL, want)
	}
	onlyFiles(t, filepath.Join(dir, BundlesDir), "dev.warden.hello-1.0.0-"+v.SHA256[:12]+".wbundle", "dev.warden.hello-1.1.0.wbundle")
	vs := readIndex(t, dir, pk).Versions("dev.warden.hello")
	if len(vs) != 2 || vs[0].SHA256 != v.SHA256 || vs[0].URL != want {
		t.Fatalf("index after force: %+v", vs)
	}
	dst := filepath.Join(t.TempDir(), "b.wbundle")
	if err := (&Client{IndexURL: dir, Key: pk}).Download(t.Context(), vs[0], dst); err != nil {
		t.Fatal(err)
	}
}

func TestAddRefusesUnsignedAndBadBundles(t *testing.T) {
	t.Parallel()
	sk, _ := newKey(t)
	dir := filepath.Join(t.TempDir(), "registry")
	_, err := Add(t.Context(), dir, packHello(t, variant{version: "1.0.0", unsigned: true}), sk, AddOptions{})
	if !errors.Is(err, bundle.ErrUnsigned) || !strings.Contains(err.Error(), "warden sign") {
		t.Fatalf("unsigned: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.wbundle")
	copyFile(t, packHello(t, variant{version: "1.0.0"}), bad)
	fi, _ := os.Stat(bad)
	flipByte(t, bad, fi.Size()/2)
	if _, err := Add(t.Context(), dir, bad, sk, AddOptions{}); err == nil {
		t.Fatal("corrupt bundle added")
	}
	if _, err := os.Stat(filepath.Join(dir, IndexName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a refused add wrote an index: %v", err)
	}
	if _, err := Add(t.Context(), dir, packHello(t, variant{version: "1.0.0"}), nil, AddOptions{}); err == nil {
		t.Fatal("added without a key")
	}
}

func TestAddChecksTheExistingIndex(t *testing.T) {
	t.Parallel()
	dir, _, _ := makeRegistry(t, "1.0.0")
	otherSK, otherPK := newKey(t)
	src := packHello(t, variant{version: "1.1.0"})
	_, err := Add(t.Context(), dir, src, otherSK, AddOptions{})
	if !errors.Is(err, ErrBadIndexSignature) || !errors.Is(err, signing.ErrUntrustedKey) {
		t.Fatalf("other key: %v", err)
	}
	flipped := t.TempDir()
	copyTree(t, dir, flipped)
	flipByte(t, filepath.Join(flipped, IndexName), -3)
	if _, err := Add(t.Context(), flipped, src, otherSK, AddOptions{}); !errors.Is(err, ErrBadIndexSignature) {
		t.Fatalf("tampered index: %v", err)
	}
	unsigned := t.TempDir()
	copyTree(t, dir, unsigned)
	os.Remove(filepath.Join(unsigned, SignatureName))
	if _, err := Add(t.Context(), unsigned, src, otherSK, AddOptions{}); !errors.Is(err, ErrBadIndexSignature) || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("unsigned index: %v", err)
	}
	// Force moves the registry to the new key.
	if _, err := Add(t.Context(), dir, src, otherSK, AddOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	if n := len(readIndex(t, dir, otherPK).Versions("dev.warden.hello")); n != 2 {
		t.Fatalf("%d versions after re-signing", n)
	}
}

func TestAddFinishesInterruptedPublish(t *testing.T) {
	t.Parallel()
	dir, sk, pk := makeRegistry(t, "1.0.0")
	oldSig := mustRead(t, filepath.Join(dir, SignatureName))
	if _, err := Add(t.Context(), dir, packHello(t, variant{version: "1.1.0"}), sk, AddOptions{}); err != nil {
		t.Fatal(err)
	}
	// As if killed between the two renames: the new index is in place, its
	// signature still pending, the old signature published.
	newSig := mustRead(t, filepath.Join(dir, SignatureName))
	os.WriteFile(filepath.Join(dir, pendingSignature), newSig, 0o644)
	os.WriteFile(filepath.Join(dir, SignatureName), oldSig, 0o644)
	if _, err := (&Client{IndexURL: dir, Key: pk}).Index(t.Context()); !errors.Is(err, ErrBadIndexSignature) {
		t.Fatalf("half-published index: %v", err)
	}
	if _, err := Add(t.Context(), dir, packHello(t, variant{version: "1.2.0"}), sk, AddOptions{}); err != nil {
		t.Fatalf("next add: %v", err)
	}
	if n := len(readIndex(t, dir, pk).Versions("dev.warden.hello")); n != 3 {
		t.Fatalf("%d versions, want 3", n)
	}
	// A pending signature by another key is not trusted to finish it.
	dir2, sk2, _ := makeRegistry(t, "1.0.0")
	otherSK, _ := newKey(t)
	otherSig, _ := signing.Sign(otherSK, mustRead(t, filepath.Join(dir2, IndexName)), "")
	os.WriteFile(filepath.Join(dir2, pendingSignature), otherSig, 0o644)
	flipByte(t, filepath.Join(dir2, SignatureName), -5)
	if _, err := Add(t.Context(), dir2, packHello(t, variant{version: "1.1.0"}), sk2, AddOptions{}); !errors.Is(err, ErrBadIndexSignature) {
		t.Fatalf("foreign pending signature: %v", err)
	}
}

func TestAddConcurrent(t *testing.T) {
	t.Parallel()
	sk, pk := newKey(t)
	dir := filepath.Join(t.TempDir(), "registry")
	versions := []string{"1.0.0", "1.1.0", "1.2.0", "1.3.0"}
	paths := make([]string, len(versions))
	for i, v := range versions {
		paths[i] = packHello(t, variant{version: v})
	}
	var wg sync.WaitGroup
	errs := make([]error, len(paths))
	for i, p := range paths {
		wg.Go(func() { _, errs[i] = Add(t.Context(), dir, p, sk, AddOptions{}) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := len(readIndex(t, dir, pk).Versions("dev.warden.hello")); n != len(versions) {
		t.Fatalf("%d versions after concurrent adds, want %d", n, len(versions))
	}
}

// TestIndexVerifiesWithMinisign checks the index signature with Debian's
// minisign.
func TestIndexVerifiesWithMinisign(t *testing.T) {
	t.Parallel()
	ms := minisigntest.Bin(t)
	dir, sk, _ := makeRegistry(t, "1.0.0")
	pub := filepath.Join(t.TempDir(), "registry.pub")
	os.WriteFile(pub, sk.Public().File(), 0o644)
	out := minisigntest.Run(t, ms, "-V", "-p", pub, "-m", filepath.Join(dir, IndexName))
	if !strings.Contains(out, "file:index.json") {
		t.Fatalf("minisign output lacks the trusted comment:\n%s", out)
	}
	flipByte(t, filepath.Join(dir, IndexName), 10)
	if out, err := exec.CommandContext(t.Context(), ms, "-V", "-p", pub, "-m", filepath.Join(dir, IndexName)).CombinedOutput(); err == nil {
		t.Fatalf("minisign accepted a tampered index:\n%s", out)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
