package bundle

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/wardenhq/warden/manifest"
	"github.com/wardenhq/warden/plugins/signing"
)

// Open opens the bundle file at path and checks it with [Read]. The file
// stays open for [Bundle.Extract]; Close the bundle when done.
func Open(name string, lim Limits) (*Bundle, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("open bundle: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open bundle: %w", err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("open bundle %s: %w: not a regular file", name, ErrMalformed)
	}
	b, err := Read(f, fi.Size(), lim)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open bundle %s: %w", name, err)
	}
	b.closer = f
	return b, nil
}

// Read checks the bundle of the given size in r and returns it. Before
// decompressing anything it checks the zip's directory: the entry count,
// every name (no "..", absolute names, backslashes, unclean or reserved
// names), modes (regular files only), duplicates (also after cleaning and
// case-folding), the total uncompressed size and each entry's compression
// ratio. It then reads WARDEN/entries and checks that the zip holds exactly
// the listed entries with the listed sizes, and reads every entry once,
// bounded by its listed size, comparing its SHA-256 with the list. Finally
// it parses manifest.json (refusing dev_scopes, and icons that are not
// PNGs of their declared size) and hashes the whole file for
// [Bundle.Digest].
// It does not check the signature: see [Bundle.Verify].
//
// Cost: two reads of the file and one decompression of every entry; memory
// is bounded by the entry list, manifest.MaxSize and zip bookkeeping for at
// most lim.MaxEntries entries.
func Read(r io.ReaderAt, size int64, lim Limits) (*Bundle, error) {
	lim = lim.withDefaults()
	if size > lim.maxFileSize() {
		return nil, fmt.Errorf("%w: the file is %d bytes, more than %d allowed", ErrTooLarge, size, lim.maxFileSize())
	}
	if err := checkDirectory(r, size, lim); err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	byName, err := checkFiles(zr.File, lim)
	if err != nil {
		return nil, err
	}
	b := &Bundle{zr: zr, size: size, files: make(map[string]*zip.File, len(byName))}
	if err := b.readList(byName, lim); err != nil {
		return nil, err
	}
	var manifestData []byte
	heads := make(map[string][]byte) // the start of every .png, for the icon checks
	for _, e := range b.entries {
		f := b.files[e.Path]
		var w io.Writer = io.Discard
		var buf bytes.Buffer
		switch {
		case e.Path == manifest.FileName:
			if e.Size > manifest.MaxSize {
				return nil, fmt.Errorf("%w: %s is %d bytes, more than the %d allowed", ErrManifest, manifest.FileName, e.Size, manifest.MaxSize)
			}
			w = &buf
		case path.Ext(e.Path) == ".png":
			w = &headWriter{buf: &buf, n: manifest.IconHeaderSize}
		}
		if err := copyEntry(w, f, e); err != nil {
			return nil, err
		}
		if e.Path == manifest.FileName {
			manifestData = buf.Bytes()
		} else if buf.Len() > 0 {
			heads[e.Path] = buf.Bytes()
		}
	}
	if b.m, err = parseManifest(manifestData, b.files, heads); err != nil {
		return nil, err
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(r, 0, size)); err != nil {
		return nil, fmt.Errorf("%w: hash the bundle file: %v", ErrMalformed, err)
	}
	h.Sum(b.digest[:0])
	return b, nil
}

// checkFiles applies the directory checks to every zip entry and returns
// the entries by name.
func checkFiles(files []*zip.File, lim Limits) (map[string]*zip.File, error) {
	if len(files) > lim.MaxEntries {
		return nil, fmt.Errorf("%w: %d entries, more than the %d allowed", ErrTooManyEntries, len(files), lim.MaxEntries)
	}
	byName := make(map[string]*zip.File, len(files))
	byKey := make(map[string]string, len(files))
	var total uint64
	for _, f := range files {
		name := f.Name
		if err := checkEscape(name); err != nil {
			return nil, err
		}
		mode := f.Mode()
		switch {
		case mode&fs.ModeSymlink != 0:
			return nil, fmt.Errorf("%w: entry %q is a symbolic link; bundles hold regular files only", ErrSymlink, name)
		case !mode.IsRegular() || strings.HasSuffix(name, "/"):
			return nil, fmt.Errorf("%w: entry %q is a %s; bundles hold regular files only", ErrNotRegular, name, describeMode(mode))
		case mode&(fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky) != 0:
			return nil, fmt.Errorf("%w: entry %q has mode %s; bundles hold plain files without setuid, setgid or sticky bits", ErrNotRegular, name, mode)
		case f.Flags&0x1 != 0:
			return nil, fmt.Errorf("%w: entry %q is encrypted", ErrMalformed, name)
		case f.Method != zip.Store && f.Method != zip.Deflate:
			return nil, fmt.Errorf("%w: entry %q uses compression method %d; bundles use store or deflate", ErrMalformed, name, f.Method)
		}
		if _, dup := byName[name]; dup {
			return nil, fmt.Errorf("%w: entry %q appears twice", ErrDuplicate, name)
		}
		key := foldKey(name)
		if other, dup := byKey[key]; dup {
			return nil, fmt.Errorf("%w: entries %q and %q name the same file on a case-insensitive file system", ErrDuplicate, other, name)
		}
		if err := checkName(name); err != nil {
			return nil, err
		}
		byName[name] = f
		byKey[key] = name
		if f.UncompressedSize64 > uint64(lim.MaxTotalSize) || total+f.UncompressedSize64 > uint64(lim.MaxTotalSize) {
			return nil, fmt.Errorf("%w: entries up to %q add up to more than the %d bytes allowed", ErrTooLarge, name, lim.MaxTotalSize)
		}
		total += f.UncompressedSize64
		if u := f.UncompressedSize64; u > uint64(lim.RatioMinSize) && u/uint64(lim.MaxRatio) > f.CompressedSize64 {
			return nil, fmt.Errorf("%w: entry %q expands from %d to %d bytes, more than %d times", ErrCompressionRatio, name, f.CompressedSize64, u, lim.MaxRatio)
		}
	}
	// A file may not also be a directory of another entry: one of the two
	// could not be extracted.
	for name := range byName {
		for dir := path.Dir(name); dir != "."; dir = path.Dir(dir) {
			if other, clash := byKey[foldKey(dir)]; clash {
				return nil, fmt.Errorf("%w: %q is a file and also the directory of %q", ErrDuplicate, other, name)
			}
		}
	}
	return byName, nil
}

// describeMode names a non-regular file mode for an error message.
func describeMode(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return "special file (mode " + m.String() + ")"
}

// readList reads and parses WARDEN/entries and WARDEN/entries.minisig and
// matches the list against the zip's entries by name and size.
func (b *Bundle) readList(byName map[string]*zip.File, lim Limits) error {
	lf := byName[ListName]
	if lf == nil {
		return fmt.Errorf("%w: the bundle has no %s; make bundles with `warden pack`", ErrBadList, ListName)
	}
	maxList := uint64(lim.MaxEntries) * (2*sha256.Size + 22 + MaxNameLen)
	if lf.UncompressedSize64 > maxList {
		return fmt.Errorf("%w: %s is %d bytes, more than %d entries can need", ErrBadList, ListName, lf.UncompressedSize64, maxList)
	}
	list, err := readAll(lf, int64(lf.UncompressedSize64))
	if err != nil {
		return err
	}
	if b.entries, err = parseList(list); err != nil {
		return err
	}
	b.list = list
	if sf := byName[SignatureName]; sf != nil {
		if sf.UncompressedSize64 > signing.MaxSignatureSize {
			return fmt.Errorf("%w: %s is %d bytes, more than a signature's %d", ErrMalformed, SignatureName, sf.UncompressedSize64, signing.MaxSignatureSize)
		}
		if b.sig, err = readAll(sf, int64(sf.UncompressedSize64)); err != nil {
			return err
		}
		if b.sig == nil {
			b.sig = []byte{}
		}
	}
	listed := make(map[string]bool, len(b.entries))
	for _, e := range b.entries {
		listed[e.Path] = true
		f := byName[e.Path]
		if f == nil {
			return fmt.Errorf("%w: %s lists %q but the bundle does not hold it", ErrMissing, ListName, e.Path)
		}
		if f.UncompressedSize64 != uint64(e.Size) {
			return fmt.Errorf("%w: entry %q is %d bytes in the zip, %d in %s", ErrSizeMismatch, e.Path, f.UncompressedSize64, e.Size, ListName)
		}
		b.files[e.Path] = f
	}
	for name := range byName {
		if name == ListName || name == SignatureName || listed[name] {
			continue
		}
		if strings.HasPrefix(name, WardenDir) {
			return fmt.Errorf("%w: entry %q is under the reserved %s", ErrNotListed, name, WardenDir)
		}
		return fmt.Errorf("%w: entry %q is not in %s; it was added after packing", ErrNotListed, name, ListName)
	}
	return nil
}

// readAll reads an entry of the declared size, refusing more.
func readAll(f *zip.File, size int64) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(int(size))
	if err := readBounded(&buf, f, size); err != nil {
		return nil, err
	}
	if buf.Len() == 0 {
		return nil, nil
	}
	return buf.Bytes(), nil
}

// readBounded copies the content of f to w, reading at most size+1 bytes
// so that a header lying about the size cannot make it read more.
func readBounded(w io.Writer, f *zip.File, size int64) error {
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("%w: entry %q: %v", ErrMalformed, f.Name, err)
	}
	defer rc.Close()
	n, err := io.Copy(w, io.LimitReader(rc, size+1))
	if err != nil {
		// While reading content archive/zip reports ErrFormat only for
		// data beyond the header's uncompressed size.
		if errors.Is(err, zip.ErrFormat) {
			return fmt.Errorf("%w: entry %q holds more than its %d bytes", ErrSizeMismatch, f.Name, size)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("%w: entry %q holds fewer than its %d bytes (truncated, or its size is wrong)", ErrSizeMismatch, f.Name, size)
		}
		return fmt.Errorf("%w: entry %q: %v", ErrMalformed, f.Name, err)
	}
	if n != size {
		return fmt.Errorf("%w: entry %q holds %d bytes, not the %d listed", ErrSizeMismatch, f.Name, n, size)
	}
	return nil
}

// copyEntry copies the content of e to w and checks its hash.
func copyEntry(w io.Writer, f *zip.File, e Entry) error {
	h := sha256.New()
	if err := readBounded(io.MultiWriter(w, h), f, e.Size); err != nil {
		return err
	}
	if !bytes.Equal(h.Sum(nil), e.SHA256[:]) {
		return fmt.Errorf("%w: entry %q was changed after packing (its SHA-256 differs from %s)", ErrHashMismatch, e.Path, ListName)
	}
	return nil
}

// parseManifest parses the bundle's manifest and checks that the files it
// names are in the bundle, that each icon (whose first bytes are in heads)
// is a PNG of its size, and that it has no dev_scopes.
func parseManifest(data []byte, files map[string]*zip.File, heads map[string][]byte) (*manifest.Manifest, error) {
	if files[manifest.FileName] == nil {
		return nil, fmt.Errorf("%w: the bundle has no %s", ErrManifest, manifest.FileName)
	}
	m, err := manifest.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrManifest, err)
	}
	if m.UI != nil && files[m.UI.Entry] == nil {
		return nil, fmt.Errorf("%w: ui.entry %q is not in the bundle", ErrManifest, m.UI.Entry)
	}
	if m.Backend != nil && files[m.Backend.Wasm] == nil {
		return nil, fmt.Errorf("%w: backend.wasm %q is not in the bundle", ErrManifest, m.Backend.Wasm)
	}
	for _, size := range slices.Sorted(maps.Keys(m.Icons)) {
		icon := m.Icons[size]
		if files[icon] == nil {
			return nil, fmt.Errorf("%w: icons[%q] %q is not in the bundle", ErrManifest, size, icon)
		}
		n, _ := strconv.Atoi(size) // Parse checked it
		if err := manifest.CheckPNG(heads[icon], n); err != nil {
			return nil, fmt.Errorf("%w: icons[%q] %s: %w", ErrManifest, size, icon, err)
		}
	}
	if m.DevScopes != nil {
		return nil, fmt.Errorf("%w: dev_scopes is for warden dev only; pack the plugin with warden pack, which drops it", ErrDevScopes)
	}
	return m, nil
}

// headWriter keeps the first n bytes written to it and discards the rest.
type headWriter struct {
	buf *bytes.Buffer
	n   int
}

func (h *headWriter) Write(p []byte) (int, error) {
	if k := h.n - h.buf.Len(); k > 0 {
		h.buf.Write(p[:min(k, len(p))])
	}
	return len(p), nil
}
