package bundle

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/wardenhq/warden/plugins/signing"
)

func TestReadValid(t *testing.T) {
	t.Parallel()
	sk, pk := newKey(t)
	data := validBundle(t, sk)
	b, err := readBytes(data, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if m := b.Manifest(); m.ID != "com.example.test" || m.Version != "1.2.3" {
		t.Errorf("manifest = %+v", m)
	}
	if !b.Signed() {
		t.Error("Signed() = false")
	}
	if id, err := b.Verify(nil); !errors.Is(err, signing.ErrUntrustedKey) || id != pk.ID() {
		t.Errorf("Verify(no keys) = %v, %v", id, err)
	}
	if id, err := b.Verify([]signing.PublicKey{pk}); err != nil || id != pk.ID() {
		t.Errorf("Verify = %v, %v", id, err)
	}
	if got := b.Entries(); len(got) != 3 || got[0].Path != "manifest.json" || got[2].Path != "ui/index.html" {
		t.Errorf("Entries = %+v", got)
	}
	if !bytes.Equal(b.EntryList(), listFor(testFiles())) {
		t.Error("EntryList differs from the list written")
	}
	if b.Digest() != sha256.Sum256(data) || b.Size() != int64(len(data)) {
		t.Error("Digest or Size is not the file's")
	}
	if id, ok := b.Signer(); !ok || id != pk.ID() {
		t.Errorf("Signer = %v, %v", id, ok)
	}

	unsigned, err := readBytes(validBundle(t, nil), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if unsigned.Signed() {
		t.Error("unsigned bundle: Signed() = true")
	}
	if _, err := unsigned.Verify([]signing.PublicKey{pk}); !errors.Is(err, ErrUnsigned) {
		t.Errorf("unsigned Verify = %v, want ErrUnsigned", err)
	}
	if _, ok := unsigned.Signer(); ok {
		t.Error("unsigned bundle has a signer")
	}
}

// with returns testFiles with extra entries appended.
func with(extra ...zipEntry) []zipEntry { return append(testFiles(), extra...) }

// listed builds a bundle whose list covers all of files.
func listed(t *testing.T, files []zipEntry) []byte {
	return craft(t, files, listFor(files), nil)
}

func TestReadRejects(t *testing.T) {
	t.Parallel()
	files := testFiles()
	list := listFor(files)
	zeros := make([]byte, 2<<20)
	longName := "ui/" + strings.Repeat("a/", MaxNameLen/2) + "x.js"
	changed := testFiles()
	changed[1].data = []byte("console.log('HI')\n")
	noID := testFiles()
	noID[0].data = []byte(strings.Replace(testManifest, `"id": "com.example.test",`, "", 1))
	badJSON := testFiles()
	badJSON[0].data = []byte("{")
	noUI := testFiles()[:2]

	tests := []struct {
		name string
		data []byte
		lim  Limits
		want error
	}{
		{"dot-dot", craft(t, with(zipEntry{name: "../evil.sh", data: []byte("x")}), list, nil), Limits{}, ErrPathTraversal},
		{"dot-dot inside", craft(t, with(zipEntry{name: "ui/../../evil.sh", data: []byte("x")}), list, nil), Limits{}, ErrPathTraversal},
		{"dot-dot at end", craft(t, with(zipEntry{name: "ui/..", data: []byte("x")}), list, nil), Limits{}, ErrPathTraversal},
		{"leading slash", craft(t, with(zipEntry{name: "/etc/passwd", data: []byte("x")}), list, nil), Limits{}, ErrAbsolutePath},
		{"drive letter", craft(t, with(zipEntry{name: "C:/evil.exe", data: []byte("x")}), list, nil), Limits{}, ErrAbsolutePath},
		{"drive letter relative", craft(t, with(zipEntry{name: "c:evil.exe", data: []byte("x")}), list, nil), Limits{}, ErrAbsolutePath},
		{"backslash", craft(t, with(zipEntry{name: `ui\..\..\evil`, data: []byte("x")}), list, nil), Limits{}, ErrAbsolutePath},
		{"symlink", craft(t, with(zipEntry{name: "ui/link", data: []byte("/etc/passwd"), mode: fs.ModeSymlink | 0o777}), list, nil), Limits{}, ErrSymlink},
		{"directory entry", craft(t, with(zipEntry{name: "ui/sub/", mode: fs.ModeDir | 0o755}), list, nil), Limits{}, ErrNotRegular},
		{"named pipe", craft(t, with(zipEntry{name: "ui/fifo", mode: fs.ModeNamedPipe | 0o644}), list, nil), Limits{}, ErrNotRegular},
		{"device", craft(t, with(zipEntry{name: "ui/dev", mode: fs.ModeDevice | 0o644}), list, nil), Limits{}, ErrNotRegular},
		{"setuid", craft(t, with(zipEntry{name: "ui/suid", data: []byte("x"), mode: fs.ModeSetuid | 0o755}), list, nil), Limits{}, ErrNotRegular},
		{"duplicate", craft(t, with(zipEntry{name: "ui/app.js", data: []byte("evil()")}), list, nil), Limits{}, ErrDuplicate},
		{"duplicate after case-folding", craft(t, with(zipEntry{name: "UI/App.JS", data: []byte("evil()")}), list, nil), Limits{}, ErrDuplicate},
		{"duplicate after cleaning", craft(t, with(zipEntry{name: "ui//app.js", data: []byte("evil()")}), list, nil), Limits{}, ErrDuplicate},
		{"duplicate list", craft(t, with(zipEntry{name: ListName, data: list}), list, nil), Limits{}, ErrDuplicate},
		{"file is also a directory", craft(t, with(zipEntry{name: "ui/app.js/x", data: []byte("x")}), list, nil), Limits{}, ErrDuplicate},
		{"unclean name", craft(t, with(zipEntry{name: "ui/./x.js", data: []byte("x")}), list, nil), Limits{}, ErrBadName},
		{"control character", craft(t, with(zipEntry{name: "ui/x\n.js", data: []byte("x")}), list, nil), Limits{}, ErrBadName},
		{"invalid UTF-8", craft(t, with(zipEntry{name: "ui/\xff.js", data: []byte("x")}), list, nil), Limits{}, ErrBadName},
		{"empty name", craft(t, with(zipEntry{name: "", data: []byte("x")}), list, nil), Limits{}, ErrBadName},
		{"name too long", craft(t, with(zipEntry{name: longName, data: []byte("x")}), list, nil), Limits{}, ErrBadName},
		{"not listed", craft(t, with(zipEntry{name: "ui/extra.js", data: []byte("evil()")}), list, nil), Limits{}, ErrNotListed},
		{"reserved name", craft(t, with(zipEntry{name: "WARDEN/other", data: []byte("x")}), list, nil), Limits{}, ErrNotListed},
		{"listed entry missing", craft(t, files[:2], list, nil), Limits{}, ErrMissing},
		{"too many entries", validBundle(t, nil), Limits{MaxEntries: 3}, ErrTooManyEntries},
		{"too large", validBundle(t, nil), Limits{MaxTotalSize: 200}, ErrTooLarge},
		{"zip bomb ratio", listed(t, with(zipEntry{name: "ui/zeros.bin", data: zeros})), Limits{}, ErrCompressionRatio},
		{"size differs from list", craft(t, files, bytes.Replace(list, []byte(" 18 ui/app.js"), []byte(" 19 ui/app.js"), 1), nil), Limits{}, ErrSizeMismatch},
		{"header claims fewer bytes", craft(t, with(zipEntry{name: "ui/big.js", data: bytes.Repeat([]byte("a"), 1000), lie: 10}), listFor(with(zipEntry{name: "ui/big.js", data: bytes.Repeat([]byte("a"), 10)})), nil), Limits{}, ErrSizeMismatch},
		{"header claims more bytes", craft(t, with(zipEntry{name: "ui/big.js", data: []byte("aaaa"), lie: 10}), listFor(with(zipEntry{name: "ui/big.js", data: bytes.Repeat([]byte("a"), 10)})), nil), Limits{}, ErrSizeMismatch},
		{"content changed", craft(t, changed, list, nil), Limits{}, ErrHashMismatch},
		{"no entry list", writeZip(t, files), Limits{}, ErrBadList},
		{"list not sorted", craft(t, files, []byte(strings.Join(sortedReverse(string(list)), "")), nil), Limits{}, ErrBadList},
		{"list upper-case hash", craft(t, files, []byte(strings.ToUpper(string(list[:64]))+string(list[64:])), nil), Limits{}, ErrBadList},
		{"list leading zero", craft(t, files, bytes.Replace(list, []byte(" 18 "), []byte(" 018 "), 1), nil), Limits{}, ErrBadList},
		{"list no final newline", craft(t, files, list[:len(list)-1], nil), Limits{}, ErrBadList},
		{"list CRLF", craft(t, files, bytes.ReplaceAll(list, []byte("\n"), []byte("\r\n")), nil), Limits{}, ErrBadList},
		{"list blank line", craft(t, files, append([]byte("\n"), list...), nil), Limits{}, ErrBadList},
		{"list names reserved path", craft(t, files, append(bytes.Clone(list), []byte(strings.Repeat("0", 64)+" 0 WARDEN/x\n")...), nil), Limits{}, ErrBadList},
		{"list names traversal", craft(t, files, append([]byte(strings.Repeat("0", 64)+" 0 ../x\n"), list...), nil), Limits{}, ErrBadList},
		{"list empty", craft(t, files, []byte{}, nil), Limits{}, ErrBadList},
		{"no manifest", listed(t, testFiles()[1:]), Limits{}, ErrManifest},
		{"manifest without id", listed(t, noID), Limits{}, ErrManifest},
		{"manifest not JSON", listed(t, badJSON), Limits{}, ErrManifest},
		{"ui entry missing", listed(t, noUI), Limits{}, ErrManifest},
		{"not a zip", []byte("hello, this is not a zip file at all"), Limits{}, ErrMalformed},
		{"empty file", nil, Limits{}, ErrMalformed},
		{"trailing data", append(validBundle(t, nil), 0), Limits{}, ErrMalformed},
		{"prepended data", append([]byte("#!/bin/sh\n"), validBundle(t, nil)...), Limits{}, ErrMalformed},
		{"archive comment", withComment(t, validBundle(t, nil)), Limits{}, ErrMalformed},
		{"truncated", validBundle(t, nil)[:200], Limits{}, ErrMalformed},
		{"encrypted entry", craft(t, with(zipEntry{name: "ui/secret.js", data: []byte("x"), flags: 1}), list, nil), Limits{}, ErrMalformed},
		{"unknown compression", craft(t, with(zipEntry{name: "ui/x.js", data: []byte("x"), method: 12}), list, nil), Limits{}, ErrMalformed},
		{"signature too large", craft(t, files, list, bytes.Repeat([]byte("a"), 17<<10)), Limits{}, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readBytes(tt.data, tt.lim)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Read = %v, want %v", err, tt.want)
			}
			for _, other := range sentinels {
				if other != tt.want && errors.Is(err, other) {
					t.Errorf("error %q also matches %v", err, other)
				}
			}
		})
	}
}

// sentinels are the package's errors that Read may return.
var sentinels = []error{ErrMalformed, ErrPathTraversal, ErrAbsolutePath, ErrBadName, ErrSymlink, ErrNotRegular, ErrDuplicate, ErrTooManyEntries, ErrTooLarge, ErrCompressionRatio, ErrBadList, ErrNotListed, ErrMissing, ErrSizeMismatch, ErrHashMismatch, ErrManifest}

// sortedReverse returns the lines of list in reverse order.
func sortedReverse(list string) []string {
	lines := strings.SplitAfter(strings.TrimSuffix(list, "\n"), "\n")
	lines[len(lines)-1] += "\n"
	for i, j := 0, len(lines)-1; i < j; i, j = i+1, j-1 {
		lines[i], lines[j] = lines[j], lines[i]
	}
	return lines
}

func TestReadNamesEntryInErrors(t *testing.T) {
	t.Parallel()
	list := listFor(testFiles())
	_, err := readBytes(craft(t, with(zipEntry{name: "ui/../../.bashrc", data: []byte("x")}), list, nil), Limits{})
	if err == nil || !strings.Contains(err.Error(), `"ui/../../.bashrc"`) {
		t.Errorf("error %v does not name the entry", err)
	}
}

// TestReadCentralDirectoryCount crafts an end record that claims few
// entries while the directory holds more: the count is checked before
// archive/zip parses the directory.
func TestReadCentralDirectoryCount(t *testing.T) {
	t.Parallel()
	var entries []zipEntry
	for i := range 20 {
		entries = append(entries, zipEntry{name: "ui/f" + string(rune('a'+i)), data: []byte("x")})
	}
	data := writeZip(t, entries)
	end := data[len(data)-eocdLen:]
	binary.LittleEndian.PutUint16(end[8:], 4)
	binary.LittleEndian.PutUint16(end[10:], 4)
	if _, err := readBytes(data, Limits{MaxEntries: 10}); !errors.Is(err, ErrTooManyEntries) {
		t.Fatalf("Read = %v, want ErrTooManyEntries", err)
	}
	if _, err := readBytes(data, Limits{}); !errors.Is(err, ErrMalformed) {
		t.Fatalf("Read = %v, want ErrMalformed (count differs)", err)
	}
}

// withComment rewrites a zip with an archive comment.
func withComment(t *testing.T, data []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.SetComment("hello"); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestReadRatioOnlyForLargeEntries: a small file may compress very well.
func TestReadRatioOnlyForLargeEntries(t *testing.T) {
	t.Parallel()
	small := with(zipEntry{name: "ui/zeros.bin", data: make([]byte, 512<<10)})
	if _, err := readBytes(listed(t, small), Limits{}); err != nil {
		t.Fatalf("512 KiB of zeros: %v", err)
	}
	if _, err := readBytes(listed(t, small), Limits{RatioMinSize: 4096}); !errors.Is(err, ErrCompressionRatio) {
		t.Fatalf("512 KiB of zeros with RatioMinSize 4096: %v, want ErrCompressionRatio", err)
	}
}
