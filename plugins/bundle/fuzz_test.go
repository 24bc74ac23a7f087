package bundle

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzRead feeds arbitrary bytes to Read: it must not panic, must fail
// with one of the package's sentinels, and whatever it accepts must be
// consistent (a manifest, a list naming every entry).
func FuzzRead(f *testing.F) {
	sk, _ := newKey(f)
	f.Add(validBundle(f, nil))
	f.Add(validBundle(f, sk))
	f.Add(craft(f, with(zipEntry{name: "../x", data: []byte("x")}), listFor(testFiles()), nil))
	f.Add(writeZip(f, []zipEntry{{name: "a", data: make([]byte, 4096)}}))
	f.Add([]byte("PK\x05\x06\x00\x00\x00\x00\x01\x00\x01\x00\x2e\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Add([]byte{})
	lim := Limits{MaxEntries: 64, MaxTotalSize: 1 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := readBytes(data, lim)
		if err != nil {
			for _, s := range sentinels {
				if errors.Is(err, s) {
					return
				}
			}
			t.Fatalf("Read error %v matches no sentinel", err)
		}
		if b.Manifest() == nil || len(b.Entries()) == 0 {
			t.Fatal("accepted bundle without manifest or entries")
		}
		if _, err := parseList(b.EntryList()); err != nil {
			t.Fatalf("accepted bundle with a bad list: %v", err)
		}
	})
}

// FuzzParseList checks the entry list parser: no panics, and what parses
// is in canonical form (encoding it again gives the same bytes).
func FuzzParseList(f *testing.F) {
	f.Add(listFor(testFiles()))
	f.Add([]byte("0000000000000000000000000000000000000000000000000000000000000000 0 a\n"))
	f.Add([]byte(" 1 \n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := parseList(data)
		if err != nil {
			if !errors.Is(err, ErrBadList) {
				t.Fatalf("error %v is not ErrBadList", err)
			}
			return
		}
		if again := encodeList(entries); !bytes.Equal(again, data) {
			t.Fatalf("list %q parsed but encodes as %q", data, again)
		}
	})
}
