package bundle

import (
	"archive/zip"
	"bytes"
	"errors"
	"testing"

	"github.com/wardenhq/warden/plugins/signing"
)

// readAndVerify is what an installer does: read, then check the signature.
func readAndVerify(data []byte, trusted []signing.PublicKey) error {
	b, err := readBytes(data, Limits{})
	if err != nil {
		return err
	}
	_, err = b.Verify(trusted)
	return err
}

// TestTamperContent changes one byte of each entry's content in turn (at
// the start, middle and end) and re-zips the bundle with the original list
// and signature: every change must be caught by its hash.
func TestTamperContent(t *testing.T) {
	t.Parallel()
	sk, pk := newKey(t)
	files := testFiles()
	list := listFor(files)
	sig, err := signing.Sign(sk, list, "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := readAndVerify(craft(t, files, list, sig), []signing.PublicKey{pk}); err != nil {
		t.Fatalf("untampered bundle: %v", err)
	}
	for i := range files {
		for _, pos := range []int{0, len(files[i].data) / 2, len(files[i].data) - 1} {
			tampered := testFiles()
			tampered[i].data[pos] ^= 0x20
			err := readAndVerify(craft(t, tampered, list, sig), []signing.PublicKey{pk})
			if !errors.Is(err, ErrHashMismatch) {
				t.Errorf("%s byte %d changed: %v, want ErrHashMismatch", files[i].name, pos, err)
			}
		}
	}
}

// TestTamperListAndSignature changes each byte of the entry list and each
// signed byte of the signature in turn: reading or verifying must fail.
func TestTamperListAndSignature(t *testing.T) {
	t.Parallel()
	sk, pk := newKey(t)
	files := testFiles()
	list := listFor(files)
	sig, err := signing.Sign(sk, list, "id:com.example.test\tversion:1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	trusted := []signing.PublicKey{pk}
	for i := range list {
		l := bytes.Clone(list)
		l[i] ^= 0x01
		if err := readAndVerify(craftStored(t, files, l, sig), trusted); err == nil {
			t.Errorf("list byte %d (%q) changed: bundle accepted", i, list[i])
		}
	}
	// The first line of a minisign signature is an untrusted comment that
	// minisign itself does not sign; every byte after it is signed.
	start := bytes.IndexByte(sig, '\n')
	for i := start; i < len(sig); i++ {
		s := bytes.Clone(sig)
		s[i] ^= 0x01
		err := readAndVerify(craftStored(t, files, list, s), trusted)
		if err == nil {
			t.Errorf("signature byte %d (%q) changed: bundle accepted", i, sig[i])
		}
	}
}

// TestTamperAddRemove adds and removes entries, with and without updating
// the list: the bundle is refused each time.
func TestTamperAddRemove(t *testing.T) {
	t.Parallel()
	sk, pk := newKey(t)
	trusted := []signing.PublicKey{pk}
	files := testFiles()
	list := listFor(files)
	sig, err := signing.Sign(sk, list, "test")
	if err != nil {
		t.Fatal(err)
	}
	added := with(zipEntry{name: "ui/evil.js", data: []byte("steal()")})
	removed := append(testFiles()[:1], testFiles()[2:]...)
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"entry added", craft(t, added, list, sig), ErrNotListed},
		{"entry added to zip and list", craft(t, added, listFor(added), sig), signing.ErrBadSignature},
		{"entry removed", craft(t, removed, list, sig), ErrMissing},
		{"entry removed from zip and list", craft(t, removed, listFor(removed), sig), signing.ErrBadSignature},
		{"signature removed", craft(t, files, list, nil), ErrUnsigned},
		{"signature replaced by another key's", craft(t, files, list, otherSig(t, list)), signing.ErrUntrustedKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := readAndVerify(tt.data, trusted); !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

// otherSig signs list with a fresh key.
func otherSig(t *testing.T, list []byte) []byte {
	sk, _ := newKey(t)
	sig, err := signing.Sign(sk, list, "test")
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// TestTamperRawBytes flips every byte of every entry's stored data in a
// packed bundle file: archive/zip's CRC, the decompressor or the hash
// check must refuse each one.
func TestTamperRawBytes(t *testing.T) {
	t.Parallel()
	sk, pk := newKey(t)
	data := validBundle(t, sk)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range zr.File {
		off, err := f.DataOffset()
		if err != nil {
			t.Fatal(err)
		}
		for i := off; i < off+int64(f.CompressedSize64); i++ {
			d := bytes.Clone(data)
			d[i] ^= 0xff
			if err := readAndVerify(d, []signing.PublicKey{pk}); err == nil {
				t.Errorf("%s: byte %d of its data flipped: bundle accepted", f.Name, i-off)
			}
			n++
		}
	}
	if n < 100 {
		t.Fatalf("only %d bytes tried", n)
	}
}
