package bundle

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wardenhq/warden/manifest"
)

// pngOf returns a PNG image of size x size pixels.
func pngOf(t testing.TB, w, h int) string {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// devManifest is testManifest with an http scope, its reason, an icon
// outside ui/ and dev scopes.
const devManifest = `{
  "manifest_version": 1,
  "id": "com.example.test",
  "name": "Test",
  "version": "1.2.3",
  "host": ">=0.1.0",
  "ui": { "entry": "ui/index.html" },
  "http": ["https://api.example.com/*"],
  "reasons": { "https://api.example.com/*": "Fetches <your> feed." },
  "icons": { "16": "icons/16.png" },
  "dev_scopes": { "http": ["http://localhost:8080/*"], "fs": { "read": ["$HOME/fixtures/**"] } }
}`

func TestPackDropsDevScopes(t *testing.T) {
	t.Parallel()
	files := uiSrc()
	files["manifest.json"] = devManifest
	files["icons/16.png"] = pngOf(t, 16, 16)
	src := writeSrc(t, files)
	dir := t.TempDir()
	out := filepath.Join(dir, "a.wbundle")
	if err := Pack(t.Context(), src, out, PackOptions{}); err != nil {
		t.Fatal(err)
	}
	b, err := Open(out, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	m := b.Manifest()
	if m.DevScopes != nil || !slices.Equal(m.HTTP, []string{"https://api.example.com/*"}) || m.Reasons["https://api.example.com/*"] != "Fetches <your> feed." {
		t.Errorf("packed manifest = %+v", m)
	}
	var names []string
	for _, e := range b.Entries() {
		names = append(names, e.Path)
	}
	if !slices.Contains(names, "icons/16.png") {
		t.Errorf("the icon outside ui/ was not packed: %v", names)
	}
	// Deterministic: the same sources give the same bytes.
	again := filepath.Join(dir, "b.wbundle")
	if err := Pack(t.Context(), src, again, PackOptions{}); err != nil {
		t.Fatal(err)
	}
	x, _ := os.ReadFile(out)
	y, _ := os.ReadFile(again)
	if !bytes.Equal(x, y) {
		t.Error("packing a manifest with dev_scopes twice gave different bundles")
	}
}

func TestReadRefusesDevScopes(t *testing.T) {
	t.Parallel()
	files := []zipEntry{
		{name: "manifest.json", data: []byte(strings.Replace(devManifest, `"icons": { "16": "icons/16.png" },`, "", 1))},
		{name: "ui/index.html", data: []byte("<!doctype html>\n")},
	}
	_, err := readBytes(craft(t, files, listFor(files), nil), Limits{})
	if !errors.Is(err, ErrDevScopes) || !strings.Contains(err.Error(), "dev_scopes is for warden dev only; pack the plugin with warden pack, which drops it") {
		t.Fatalf("Read(bundle with dev_scopes) = %v, want ErrDevScopes", err)
	}
}

func TestReadChecksIcons(t *testing.T) {
	t.Parallel()
	withIcon := func(icon string) []zipEntry {
		m := strings.Replace(testManifest, `"ui": { "entry": "ui/index.html" }`, `"ui": { "entry": "ui/index.html" }, "icons": { "48": "ui/48.png" }`, 1)
		files := []zipEntry{{name: "manifest.json", data: []byte(m)}, {name: "ui/index.html", data: []byte("x")}}
		if icon != "" {
			files = append(files, zipEntry{name: "ui/48.png", data: []byte(icon)})
		}
		return files
	}
	for name, tt := range map[string]struct {
		icon, want string
	}{
		"good":      {pngOf(t, 48, 48), ""},
		"missing":   {"", `icons["48"] "ui/48.png" is not in the bundle`},
		"not a png": {"GIF89a........................", "PNG signature"},
		"wrong":     {pngOf(t, 64, 64), "64x64 pixels, the manifest says 48x48"},
	} {
		files := withIcon(tt.icon)
		_, err := readBytes(craft(t, files, listFor(files), nil), Limits{})
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: Read = %v", name, err)
		case tt.want != "" && (!errors.Is(err, ErrManifest) || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: Read = %v, want ErrManifest with %q", name, err, tt.want)
		}
		if name == "not a png" && !errors.Is(err, manifest.ErrNotPNG) {
			t.Errorf("%s: %v does not wrap ErrNotPNG", name, err)
		}
	}
}
