package registry

import (
	"context"
	"encoding/hex"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardenhq/warden/plugins/bundle"
	"github.com/wardenhq/warden/plugins/signing"
)

// serve serves dir over HTTP on 127.0.0.1 for the test.
func serve(t *testing.T, dir string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	return srv
}

// onlyFiles fails the test if dir holds anything but the named files.
func onlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Fatalf("%s holds %v, want %v", dir, got, names)
	}
}

func TestClientInstallFlow(t *testing.T) {
	t.Parallel()
	dir, _, pk := makeRegistry(t, "1.0.0", "1.9.0", "2.0.0")
	srv := serve(t, dir)
	var calls, last, total atomic.Int64
	c := &Client{IndexURL: srv.URL + "/", Key: pk, Progress: func(done, tot int64) {
		if done < last.Load() {
			t.Errorf("progress went back: %d after %d", done, last.Load())
		}
		calls.Add(1)
		last.Store(done)
		total.Store(tot)
	}}
	ix, err := c.Index(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	vs := ix.Versions("dev.warden.hello")
	if len(vs) != 3 || vs[0].Version != "1.0.0" || vs[2].Version != "2.0.0" {
		t.Fatalf("versions: %+v", vs)
	}
	if p := ix.Plugins["dev.warden.hello"]; p.Name != "Hello" || p.Publisher != "Warden" {
		t.Fatalf("plugin entry: %+v", p)
	}

	v, err := ix.Resolve("dev.warden.hello", "^1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if v.Version != "1.9.0" {
		t.Fatalf("^1 resolved to %s, want 1.9.0", v.Version)
	}
	u, err := c.BundleURL(v)
	if err != nil || u != srv.URL+"/bundles/dev.warden.hello-1.9.0.wbundle" {
		t.Fatalf("BundleURL = %q, %v", u, err)
	}

	dst := filepath.Join(t.TempDir(), "got.wbundle")
	if err := c.Download(t.Context(), v, dst); err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Open(dst, bundle.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	d := b.Digest()
	if b.Manifest().Version != "1.9.0" || hex.EncodeToString(d[:]) != v.SHA256 || b.Size() != v.Size {
		t.Fatalf("downloaded %s %s, sha256 %x", b.Manifest().ID, b.Manifest().Version, d)
	}
	if _, err := b.Verify([]signing.PublicKey{fixtures.pub.Public()}); err != nil {
		t.Fatalf("publisher signature lost: %v", err)
	}
	if signer, _ := b.Signer(); signer != v.Signer {
		t.Fatalf("index signer %s, bundle signer %s", v.Signer, signer)
	}
	if want := b.Manifest().ConsentPermissions(); strings.Join(v.Permissions, ",") != strings.Join(want, ",") {
		t.Fatalf("index permissions %v, manifest %v", v.Permissions, want)
	}
	if calls.Load() < 2 || last.Load() != v.Size || total.Load() != v.Size {
		t.Fatalf("progress: %d calls, last %d of %d; size %d", calls.Load(), last.Load(), total.Load(), v.Size)
	}
	onlyFiles(t, filepath.Dir(dst), "got.wbundle")
}

func TestClientIndexURLForms(t *testing.T) {
	t.Parallel()
	dir, _, pk := makeRegistry(t, "1.0.0")
	srv := serve(t, dir)
	for _, loc := range []string{
		srv.URL, srv.URL + "/", srv.URL + "/index.json",
		dir, dir + "/", filepath.Join(dir, "index.json"), "file://" + dir, "file://" + filepath.Join(dir, "index.json"),
	} {
		t.Run(loc, func(t *testing.T) {
			c := &Client{IndexURL: loc, Key: pk}
			ix, err := c.Index(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			v, err := ix.Resolve("dev.warden.hello", "", nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Download(t.Context(), v, filepath.Join(t.TempDir(), "b.wbundle")); err != nil {
				t.Fatal(err)
			}
		})
	}
	// A relative path works too.
	wd, _ := os.Getwd()
	rel, err := filepath.Rel(wd, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&Client{IndexURL: rel, Key: pk}).Index(t.Context()); err != nil {
		t.Fatalf("relative path %s: %v", rel, err)
	}
	for _, bad := range []string{"", "ftp://example.com/index.json", "http:///index.json", "file://otherhost/x", "https://u:p@example.com/"} {
		if _, err := (&Client{IndexURL: bad, Key: pk}).Index(t.Context()); err == nil {
			t.Errorf("index URL %q accepted", bad)
		}
	}
}

func TestClientRejectsBadIndex(t *testing.T) {
	t.Parallel()
	dir, _, pk := makeRegistry(t, "1.0.0")
	_, otherPK := newKey(t)
	index := filepath.Join(dir, IndexName)
	data, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		key     signing.PublicKey
		tamper  func(t *testing.T, dir string)
		want    []error
		message string
	}{
		{"one byte of the index", pk, func(t *testing.T, dir string) {
			flipByte(t, filepath.Join(dir, IndexName), int64(strings.Index(string(data), `"sha256": "`)+12))
		}, []error{ErrBadIndexSignature, signing.ErrBadSignature}, "does not match"},
		{"last byte of the index", pk, func(t *testing.T, dir string) { flipByte(t, filepath.Join(dir, IndexName), -1) },
			[]error{ErrBadIndexSignature, signing.ErrBadSignature}, ""},
		{"signed by another key", otherPK, func(*testing.T, string) {}, []error{ErrBadIndexSignature, signing.ErrUntrustedKey}, "not by the registry key given"},
		{"signature missing", pk, func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, SignatureName)) },
			[]error{ErrBadIndexSignature, fs.ErrNotExist}, "must publish index.json.minisig"},
		{"signature garbage", pk, func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, SignatureName), []byte("hello\n"), 0o644)
		}, []error{ErrBadIndexSignature, signing.ErrMalformed}, ""},
		{"index missing", pk, func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, IndexName)) },
			[]error{ErrFetch, fs.ErrNotExist}, "404"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			copyDir := t.TempDir()
			copyTree(t, dir, copyDir)
			tt.tamper(t, copyDir)
			srv := serve(t, copyDir)
			_, err := (&Client{IndexURL: srv.URL, Key: tt.key}).Index(t.Context())
			for _, w := range tt.want {
				if !errors.Is(err, w) {
					t.Fatalf("error %v does not wrap %v", err, w)
				}
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Fatalf("error %q does not say %q", err, tt.message)
			}
		})
	}
	if _, err := (&Client{IndexURL: dir}).Index(t.Context()); err == nil || !strings.Contains(err.Error(), "no registry key") {
		t.Fatalf("Index without a key: %v", err)
	}
	// Unverified reading ignores the signature but still parses strictly.
	copyDir := t.TempDir()
	copyTree(t, dir, copyDir)
	os.Remove(filepath.Join(copyDir, SignatureName))
	if _, err := (&Client{IndexURL: copyDir}).UnverifiedIndex(t.Context()); err != nil {
		t.Fatalf("UnverifiedIndex: %v", err)
	}
	os.WriteFile(filepath.Join(copyDir, IndexName), []byte(`{"index_version": 1}`), 0o644)
	if _, err := (&Client{IndexURL: copyDir}).UnverifiedIndex(t.Context()); !errors.Is(err, ErrMalformedIndex) {
		t.Fatalf("UnverifiedIndex of a bad index: %v", err)
	}
}

func TestClientRetriesIndexSignatureOnce(t *testing.T) {
	t.Parallel()
	dir, sk, pk := makeRegistry(t, "1.0.0")
	oldSig, err := os.ReadFile(filepath.Join(dir, SignatureName))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Add(t.Context(), dir, packHello(t, variant{version: "1.1.0"}), sk, AddOptions{}); err != nil {
		t.Fatal(err)
	}
	// The first signature request gets the previous signature, as a client
	// does that reads while Add swaps the two files.
	var sigRequests atomic.Int32
	files := http.FileServer(http.Dir(dir))
	handler := func(stale int32) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/"+SignatureName && sigRequests.Add(1) <= stale {
				w.Write(oldSig)
				return
			}
			files.ServeHTTP(w, r)
		})
	}
	srv := httptest.NewServer(handler(1))
	defer srv.Close()
	ix, err := (&Client{IndexURL: srv.URL, Key: pk}).Index(t.Context())
	if err != nil {
		t.Fatalf("no retry: %v", err)
	}
	if len(ix.Versions("dev.warden.hello")) != 2 || sigRequests.Load() != 2 {
		t.Fatalf("got %d versions after %d signature requests", len(ix.Versions("dev.warden.hello")), sigRequests.Load())
	}
	// Only once: a signature that stays stale is refused.
	sigRequests.Store(0)
	srv2 := httptest.NewServer(handler(2))
	defer srv2.Close()
	if _, err := (&Client{IndexURL: srv2.URL, Key: pk}).Index(t.Context()); !errors.Is(err, ErrBadIndexSignature) || sigRequests.Load() != 2 {
		t.Fatalf("stale signature: %v after %d requests", err, sigRequests.Load())
	}
}

func TestDownloadRejectsTamperedBundle(t *testing.T) {
	t.Parallel()
	dir, _, pk := makeRegistry(t, "1.0.0")
	ix, err := (&Client{IndexURL: dir, Key: pk}).Index(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	v := ix.Versions("dev.warden.hello")[0]
	bundleFile := filepath.Join("bundles", "dev.warden.hello-1.0.0.wbundle")
	tests := []struct {
		name   string
		tamper func(t *testing.T, path string)
		want   string
	}{
		{"one byte in the middle", func(t *testing.T, p string) { flipByte(t, p, v.Size/2) }, "sha256"},
		{"last byte", func(t *testing.T, p string) { flipByte(t, p, -1) }, "sha256"},
		{"truncated", func(t *testing.T, p string) { os.Truncate(p, v.Size-1) }, "received"},
		{"extended", func(t *testing.T, p string) { os.Truncate(p, v.Size+1) }, "the signed index lists"},
		{"another bundle", func(t *testing.T, p string) {
			copyFile(t, packHello(t, variant{version: "1.0.0", extra: "evil"}), p)
		}, ""},
	}
	for _, tt := range tests {
		for _, over := range []string{"http", "file"} {
			t.Run(tt.name+" over "+over, func(t *testing.T) {
				copyDir := t.TempDir()
				copyTree(t, dir, copyDir)
				tt.tamper(t, filepath.Join(copyDir, bundleFile))
				loc := copyDir
				if over == "http" {
					loc = serve(t, copyDir).URL
				}
				out := t.TempDir()
				err := (&Client{IndexURL: loc, Key: pk}).Download(t.Context(), v, filepath.Join(out, "b.wbundle"))
				if !errors.Is(err, ErrBundleHash) || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("got %v, want ErrBundleHash mentioning %q", err, tt.want)
				}
				onlyFiles(t, out)
			})
		}
	}
	// An existing file at dst is left alone on failure.
	copyDir := t.TempDir()
	copyTree(t, dir, copyDir)
	flipByte(t, filepath.Join(copyDir, bundleFile), 100)
	dst := filepath.Join(t.TempDir(), "b.wbundle")
	os.WriteFile(dst, []byte("previous"), 0o644)
	if err := (&Client{IndexURL: copyDir, Key: pk}).Download(t.Context(), v, dst); !errors.Is(err, ErrBundleHash) {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(dst); string(data) != "previous" {
		t.Fatalf("dst changed to %d bytes", len(data))
	}
}

func TestClientSizeLimits(t *testing.T) {
	t.Parallel()
	dir, _, pk := makeRegistry(t, "1.0.0")
	srv := serve(t, dir)
	for _, loc := range []string{srv.URL, dir} {
		_, err := (&Client{IndexURL: loc, Key: pk, MaxIndex: 100}).Index(t.Context())
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("%s: oversize index: %v", loc, err)
		}
		c := &Client{IndexURL: loc, Key: pk}
		ix, err := c.Index(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		v := ix.Versions("dev.warden.hello")[0]
		c.MaxBundle = v.Size - 1
		out := t.TempDir()
		if err := c.Download(t.Context(), v, filepath.Join(out, "b.wbundle")); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("%s: oversize bundle: %v", loc, err)
		}
		onlyFiles(t, out)
	}
	// A server that sends no Content-Length and more than the index lists
	// is cut off after one byte too many.
	big := make([]byte, 1<<20)
	var sent atomic.Int64
	endless := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for range 64 {
			n, err := w.Write(big)
			sent.Add(int64(n))
			if err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	}))
	defer endless.Close()
	v := Version{ID: "dev.warden.hello", Version: "1.0.0", URL: "b.wbundle", SHA256: sha, Size: 1000}
	out := t.TempDir()
	err := (&Client{IndexURL: endless.URL, Key: pk}).Download(t.Context(), v, filepath.Join(out, "b.wbundle"))
	if !errors.Is(err, ErrBundleHash) {
		t.Fatalf("endless bundle: %v", err)
	}
	onlyFiles(t, out)
}

func TestClientTimeouts(t *testing.T) {
	dir, _, pk := makeRegistry(t, "1.0.0")
	ix, err := (&Client{IndexURL: dir, Key: pk}).Index(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	v := ix.Versions("dev.warden.hello")[0]
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(v.URL)))
	if err != nil {
		t.Fatal(err)
	}
	// silent answers nothing; stalling sends half a bundle, then nothing.
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer silent.Close()
	stalling := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Write(data[:len(data)/2])
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer stalling.Close()

	const timeout = 200 * time.Millisecond
	start := time.Now()
	_, err = (&Client{IndexURL: silent.URL, Key: pk, Timeout: timeout}).Index(t.Context())
	if !errors.Is(err, ErrTimeout) || time.Since(start) > 5*time.Second {
		t.Fatalf("silent index: %v after %s", err, time.Since(start))
	}
	for _, srv := range []*httptest.Server{silent, stalling} {
		start = time.Now()
		out := t.TempDir()
		err = (&Client{IndexURL: srv.URL, Key: pk, Timeout: timeout}).Download(t.Context(), v, filepath.Join(out, "b.wbundle"))
		if !errors.Is(err, ErrTimeout) || time.Since(start) > 5*time.Second {
			t.Fatalf("download: %v after %s", err, time.Since(start))
		}
		onlyFiles(t, out)
	}
	// A caller's cancellation is not reported as a timeout.
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	_, err = (&Client{IndexURL: silent.URL, Key: pk}).Index(ctx)
	if err == nil || errors.Is(err, ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("cancelled by caller: %v", err)
	}
}

func TestClientRefusesHTTPSDowngrade(t *testing.T) {
	t.Parallel()
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("{}")) }))
	defer plain.Close()
	tlsSrv := httptest.NewTLSServer(http.RedirectHandler(plain.URL+"/index.json", http.StatusFound))
	defer tlsSrv.Close()
	hc := tlsSrv.Client()
	hc.CheckRedirect = defaultHTTP.CheckRedirect
	_, err := (&Client{IndexURL: tlsSrv.URL, HTTP: hc}).UnverifiedIndex(t.Context())
	if err == nil || !strings.Contains(err.Error(), "refusing redirect from https") {
		t.Fatalf("downgrade: %v", err)
	}
}
