package window

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardenhq/warden/manifest"
)

// writePNG writes a size x size PNG filled with c at dir/name.
func writePNG(t *testing.T, dir, name string, size int, c color.NRGBA) {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestIcons: the manifest's PNG icons become raw pixels for the window,
// smallest first and no larger than maxIconPixels; one that lies about
// its size or is not a PNG is left out and reported, and none escapes the
// plugin's directory.
func TestIcons(t *testing.T) {
	dir := t.TempDir()
	red := color.NRGBA{R: 255, A: 255}
	writePNG(t, dir, "icons/16.png", 16, red)
	writePNG(t, dir, "icons/48.png", 48, red)
	writePNG(t, dir, "icons/big.png", 512, red)
	writePNG(t, dir, "icons/liar.png", 64, red) // declared as 32
	if err := os.WriteFile(filepath.Join(dir, "icons", "junk.png"), []byte("not a png"), 0o644); err != nil {
		t.Fatal(err)
	}
	writePNG(t, filepath.Dir(dir), "outside.png", 24, red)
	m := &manifest.Manifest{Icons: map[string]string{
		"16": "icons/16.png", "48": "icons/48.png", "512": "icons/big.png",
		"32": "icons/liar.png", "64": "icons/junk.png", "24": "../outside.png",
	}}
	got, err := icons(dir, m)
	if err == nil || !strings.Contains(err.Error(), "icons/liar.png") || !strings.Contains(err.Error(), "icons/junk.png") || !strings.Contains(err.Error(), "../outside.png") {
		t.Errorf("the bad icons are not all reported: %v", err)
	}
	if len(got) != 2 || got[0].Size != 16 || got[1].Size != 48 {
		t.Fatalf("icons: %d, want 16 and 48", len(got))
	}
	if len(got[0].RGBA) != 16*16*4 || !bytes.Equal(got[0].RGBA[:4], []byte{255, 0, 0, 255}) {
		t.Fatalf("16x16 pixels: %d bytes, first %v", len(got[0].RGBA), got[0].RGBA[:4])
	}
	if got, err := icons(dir, &manifest.Manifest{}); got != nil || err != nil {
		t.Fatalf("no icons: %v, %v", got, err)
	}
}

// TestIconPNG: the list icon is the smallest at least as large as asked
// (else the largest), re-encoded from decoded pixels; a bad one is an
// error, none is nil.
func TestIconPNG(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, dir, "16.png", 16, color.NRGBA{R: 255, A: 255})
	writePNG(t, dir, "48.png", 48, color.NRGBA{G: 255, A: 255})
	writePNG(t, dir, "128.png", 128, color.NRGBA{B: 255, A: 255})
	size := func(b []byte) int {
		t.Helper()
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		return img.Bounds().Dx()
	}
	all := map[string]string{"16": "16.png", "48": "48.png", "128": "128.png"}
	for _, tt := range []struct{ want, got int }{{8, 16}, {16, 16}, {32, 48}, {64, 128}, {200, 128}} {
		b, err := IconPNG(dir, &manifest.Manifest{Icons: all}, tt.want)
		if err != nil {
			t.Fatal(err)
		}
		if n := size(b); n != tt.got {
			t.Errorf("asked for %d: got %d, want %d", tt.want, n, tt.got)
		}
	}
	if b, err := IconPNG(dir, &manifest.Manifest{}, 64); b != nil || err != nil {
		t.Errorf("no icons: %d bytes, %v", len(b), err)
	}
	if _, err := IconPNG(dir, &manifest.Manifest{Icons: map[string]string{"32": "48.png"}}, 64); err == nil {
		t.Error("an icon that is not the size it is declared as was accepted")
	}
}
