package window

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/wardenhq/warden/host/ipc"
	"github.com/wardenhq/warden/manifest"
)

// Window icons: the core decodes the manifest's PNG icons itself, with
// Go's memory-safe decoder, and hands the webview process raw pixels, so
// that a plugin's crafted PNG never reaches an image library in a process
// outside WebKit's sandbox. At most maxIcons icons of at most
// maxIconPixels pixels a side go to the window: the small ones a window
// manager shows; GTK scales them.
const (
	maxIcons      = 4
	maxIconPixels = 256
)

// icons returns the window icons of plugin m installed in dir, smallest
// first. An icon that cannot be read or decoded is left out and logged by
// the caller through the returned error (the window still opens).
func icons(dir string, m *manifest.Manifest) ([]ipc.Icon, error) {
	if len(m.Icons) == 0 {
		return nil, nil
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("icons: %w", err)
	}
	defer root.Close()
	sizes := make([]int, 0, len(m.Icons))
	for k := range maps.Keys(m.Icons) {
		if n, err := strconv.Atoi(k); err == nil && n > 0 && n <= maxIconPixels {
			sizes = append(sizes, n)
		}
	}
	slices.Sort(sizes)
	var out []ipc.Icon
	var errs []error
	for _, n := range sizes {
		if len(out) == maxIcons {
			break
		}
		name := m.Icons[strconv.Itoa(n)]
		pix, err := decodeIcon(root, filepath.FromSlash(name), n)
		if err != nil {
			errs = append(errs, fmt.Errorf("icon %s: %w", name, err))
			continue
		}
		out = append(out, ipc.Icon{Size: n, RGBA: pix})
	}
	if len(errs) > 0 {
		return out, fmt.Errorf("icons: %v", errs)
	}
	return out, nil
}

// decodeIcon reads the PNG at name in root and returns its pixels as
// non-premultiplied RGBA rows, checking that it is size x size.
func decodeIcon(root *os.Root, name string, size int) ([]byte, error) {
	b, err := root.ReadFile(name)
	if err != nil {
		return nil, err
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	// Checked before decoding, so a header that lies costs nothing.
	if cfg.Width != size || cfg.Height != size {
		return nil, fmt.Errorf("%dx%d pixels, not %dx%d", cfg.Width, cfg.Height, size, size)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	rgba := image.NewNRGBA(image.Rect(0, 0, size, size))
	draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
	return rgba.Pix, nil
}

// IconPNG returns plugin m's icon for a list, re-encoded by Go's PNG
// encoder from the pixels Go decoded: the manifest's icon of the smallest
// size at least want pixels a side (else the largest), checked as window
// icons are. It returns nil and no error when the manifest has no icon. A
// list shows it without any image library reading the plugin's own file.
func IconPNG(dir string, m *manifest.Manifest, want int) ([]byte, error) {
	best := 0
	for k := range maps.Keys(m.Icons) {
		n, err := strconv.Atoi(k)
		if err != nil || n <= 0 || n > maxIconPixels {
			continue
		}
		if best == 0 || (n >= want && (best < want || n < best)) || (best < want && n > best) {
			best = n
		}
	}
	if best == 0 {
		return nil, nil
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("icon: %w", err)
	}
	defer root.Close()
	name := m.Icons[strconv.Itoa(best)]
	pix, err := decodeIcon(root, filepath.FromSlash(name), best)
	if err != nil {
		return nil, fmt.Errorf("icon %s: %w", name, err)
	}
	img := &image.NRGBA{Pix: pix, Stride: 4 * best, Rect: image.Rect(0, 0, best, best)}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("icon %s: %w", name, err)
	}
	return buf.Bytes(), nil
}
