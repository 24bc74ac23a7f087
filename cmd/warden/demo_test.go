package main

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wardenhq/warden/internal/plugintest"
)

// TestDemoWithoutDisplay runs `warden demo` with no $DISPLAY: it must start
// its own Xvfb, print what each example's invoke returned and write a
// screenshot in which the example windows are visibly rendered.
func TestDemoWithoutDisplay(t *testing.T) {
	t.Parallel()
	shot := filepath.Join(t.TempDir(), "demo.png")
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "DISPLAY=") })
	out, errOut, code := wardenEnv(t, env, "demo", "--examples", plugintest.Examples(t, "hello", "notes"), "--screenshot", shot)
	if code != 0 {
		t.Fatalf("demo exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{"started Xvfb", `hello: type "Ada", press Greet, read the reply -> "Hello, Ada!"`, `notes: write a note, press Save, read the list -> ["Try Warden's isolation hook"]`, "hello: 1 invoke, straight from the web process to the core", "hello: its web page and WebKit's processes run with no network at all", "screenshot saved to " + shot} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	colors, share := pngInk(t, shot)
	// A blank or single-colour screen has one colour; rendered windows have
	// text, buttons and borders: many colours and a good share of the
	// screen differing from the backdrop.
	if colors < 50 || share < 0.10 {
		t.Fatalf("screenshot looks blank: %d colours, %.0f%% of pixels differ from the backdrop", colors, share*100)
	}
}

// pngInk reads the PNG at path and returns its inkStats.
func pngInk(t *testing.T, path string) (colors int, share float64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return inkStats(img)
}

// inkStats counts distinct colours and the share of pixels that differ from
// the top-left pixel (the X backdrop).
func inkStats(img image.Image) (int, float64) {
	b := img.Bounds()
	bg := img.At(b.Min.X, b.Min.Y)
	br, bgc, bb, _ := bg.RGBA()
	seen := map[[3]uint32]bool{}
	var differ, total int
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			seen[[3]uint32{r >> 8, g >> 8, bl >> 8}] = true
			if r != br || g != bgc || bl != bb {
				differ++
			}
			total++
		}
	}
	return len(seen), float64(differ) / float64(total)
}
