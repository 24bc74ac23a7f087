package manifest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/wardenhq/warden/internal/strictjson"
)

// Icon sizes a manifest may declare, in pixels.
const (
	MinIconSize = 16
	MaxIconSize = 1024
)

// IconHeaderSize is how many bytes of an icon file [CheckPNG] reads: the
// PNG signature and the IHDR chunk's length, type, width and height.
const IconHeaderSize = 24

// pngSignature starts every PNG file.
var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// ErrNotPNG means an icon file is not a PNG, or not of its declared size.
var ErrNotPNG = errors.New("icon is not a PNG of its declared size")

// IconSizes returns the declared icon sizes in increasing order; a size
// that is not a number is left out (Validate refuses it).
func (m *Manifest) IconSizes() []int {
	var out []int
	for k := range m.Icons {
		if n, ok := iconSize(k); ok {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// iconSize parses an icons key: a decimal number without sign or leading
// zero, MinIconSize to MaxIconSize.
func iconSize(key string) (int, bool) {
	if key == "" || key[0] == '0' || len(key) > 4 {
		return 0, false
	}
	n, err := strconv.Atoi(key)
	if err != nil || n < MinIconSize || n > MaxIconSize || strconv.Itoa(n) != key {
		return 0, false
	}
	return n, true
}

// checkIcons checks every icons entry's size and path.
func (m *Manifest) checkIcons(p *problems) {
	for _, k := range slices.Sorted(maps.Keys(m.Icons)) {
		f := strictjson.JoinKey("icons", k)
		if _, ok := iconSize(k); !ok {
			p.add(f, "an icon's key is its size in pixels, a number from %d to %d such as \"48\", got %q", MinIconSize, MaxIconSize, k)
			continue
		}
		v := m.Icons[k]
		if msg := checkRelPath(v); msg != "" {
			p.add(f, "%s", msg)
		} else if path.Ext(v) != ".png" {
			p.add(f, "must name a .png file, got %q", v)
		}
	}
}

// CheckPNG checks that head, the first bytes of a file (at least
// IconHeaderSize of them when the file is that long), starts like a PNG
// image of size x size pixels: the PNG signature, then an IHDR chunk of 13
// bytes whose width and height are size. It reads nothing else; it does
// not decode the image. Errors wrap ErrNotPNG.
func CheckPNG(head []byte, size int) error {
	if len(head) < IconHeaderSize || !bytes.Equal(head[:8], pngSignature) {
		return fmt.Errorf("%w: the file does not start with the PNG signature; save it as PNG", ErrNotPNG)
	}
	be := binary.BigEndian
	if be.Uint32(head[8:]) != 13 || string(head[12:16]) != "IHDR" {
		return fmt.Errorf("%w: the PNG does not start with its IHDR header; the file is damaged", ErrNotPNG)
	}
	w, h := be.Uint32(head[16:]), be.Uint32(head[20:])
	if int64(w) != int64(size) || int64(h) != int64(size) {
		return fmt.Errorf("%w: the image is %dx%d pixels, the manifest says %dx%d; resize it or fix its key", ErrNotPNG, w, h, size, size)
	}
	return nil
}

// checkIconFiles checks that every icon names a PNG file of its size
// inside root.
func (m *Manifest) checkIconFiles(p *problems, root string) {
	for _, k := range slices.Sorted(maps.Keys(m.Icons)) {
		size, ok := iconSize(k)
		if !ok {
			continue
		}
		f := strictjson.JoinKey("icons", k)
		before := len(*p)
		checkFile(p, root, f, m.Icons[k])
		if len(*p) > before {
			continue
		}
		head, err := readHead(filepath.Join(root, filepath.FromSlash(m.Icons[k])), IconHeaderSize)
		if err != nil {
			p.add(f, "cannot read %q: %v", m.Icons[k], err)
			continue
		}
		if err := CheckPNG(head, size); err != nil {
			p.add(f, "%s: %v", m.Icons[k], err)
		}
	}
}

// readHead returns up to n bytes from the start of the file at name.
func readHead(name string, n int) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, n)
	k, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return buf[:k], nil
}
