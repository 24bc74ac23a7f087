package bundle

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"io"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/wardenhq/warden/plugins/signing"
)

// testManifest is a small valid manifest whose UI is ui/index.html.
const testManifest = `{
  "manifest_version": 1,
  "id": "com.example.test",
  "name": "Test",
  "version": "1.2.3",
  "host": ">=0.1.0",
  "ui": { "entry": "ui/index.html" }
}`

// zipEntry is one entry of a crafted zip.
type zipEntry struct {
	name   string
	data   []byte
	mode   fs.FileMode // 0 means 0644
	method uint16      // zip.Deflate unless set
	store  bool        // zip.Store instead of the method
	flags  uint16
	// lie, when set, writes data stored as is under a header claiming
	// uncompressed size lie (and a matching CRC of nothing).
	lie int64
}

// testFiles are the content entries of a small valid bundle.
func testFiles() []zipEntry {
	return []zipEntry{
		{name: "manifest.json", data: []byte(testManifest)},
		{name: "ui/app.js", data: []byte("console.log('hi')\n")},
		{name: "ui/index.html", data: []byte("<!doctype html><script src=app.js></script>\n")},
	}
}

// listFor computes the entry list of the given content entries.
func listFor(files []zipEntry) []byte {
	entries := make([]Entry, 0, len(files))
	for _, f := range files {
		entries = append(entries, Entry{Path: f.name, Size: int64(len(f.data)), SHA256: sha256.Sum256(f.data)})
	}
	slices.SortFunc(entries, func(a, b Entry) int { return strings.Compare(a.Path, b.Path) })
	return encodeList(entries)
}

// writeZip writes the entries, in order, as a zip.
func writeZip(t testing.TB, entries []zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: packTime, Flags: e.flags}
		if e.method != 0 {
			h.Method = e.method
		}
		if e.store {
			h.Method = zip.Store
		}
		mode := e.mode
		if mode == 0 {
			mode = 0o644
		}
		h.SetMode(mode)
		var w io.Writer
		var err error
		if e.lie != 0 {
			h.Method = zip.Store
			h.CompressedSize64 = uint64(len(e.data))
			h.UncompressedSize64 = uint64(e.lie)
			w, err = zw.CreateRaw(h)
		} else if e.method > zip.Deflate {
			h.CompressedSize64 = uint64(len(e.data))
			h.UncompressedSize64 = uint64(len(e.data))
			w, err = zw.CreateRaw(h)
		} else {
			w, err = zw.CreateHeader(h)
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// craft builds a bundle: the list entry, the signature when sig is not
// nil, then files.
func craft(t testing.TB, files []zipEntry, list, sig []byte) []byte {
	t.Helper()
	entries := []zipEntry{{name: ListName, data: list}}
	if sig != nil {
		entries = append(entries, zipEntry{name: SignatureName, data: sig})
	}
	return writeZip(t, append(entries, files...))
}

// craftStored is craft with every entry stored, not deflated: a deflate
// writer allocates about a megabyte, which tests crafting hundreds of
// bundles would spend most of their time on.
func craftStored(t testing.TB, files []zipEntry, list, sig []byte) []byte {
	t.Helper()
	entries := []zipEntry{{name: ListName, data: list, store: true}}
	if sig != nil {
		entries = append(entries, zipEntry{name: SignatureName, data: sig, store: true})
	}
	for _, f := range files {
		f.store = true
		entries = append(entries, f)
	}
	return writeZip(t, entries)
}

// validBundle is a crafted valid bundle, signed by sk when it is not nil.
func validBundle(t testing.TB, sk *signing.SecretKey) []byte {
	t.Helper()
	files := testFiles()
	list := listFor(files)
	var sig []byte
	if sk != nil {
		var err error
		if sig, err = signing.Sign(sk, list, "test"); err != nil {
			t.Fatal(err)
		}
	}
	return craft(t, files, list, sig)
}

// readBytes runs Read over data.
func readBytes(data []byte, lim Limits) (*Bundle, error) {
	return Read(bytes.NewReader(data), int64(len(data)), lim)
}

// newKey makes a signing key or fails the test.
func newKey(t testing.TB) (*signing.SecretKey, signing.PublicKey) {
	t.Helper()
	sk, pk, err := signing.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return sk, pk
}
