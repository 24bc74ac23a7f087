package manifest

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pngOf returns a PNG image of w x h pixels.
func pngOf(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestIconsValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		icons map[string]any
		field string
		msg   string
	}{
		{"not a number", map[string]any{"big": "icons/big.png"}, `icons["big"]`, "size in pixels"},
		{"leading zero", map[string]any{"048": "icons/48.png"}, `icons["048"]`, "size in pixels"},
		{"too small", map[string]any{"8": "icons/8.png"}, `icons["8"]`, "from 16 to 1024"},
		{"too large", map[string]any{"2048": "icons/2048.png"}, `icons["2048"]`, "from 16 to 1024"},
		{"not png", map[string]any{"48": "icons/48.svg"}, `icons["48"]`, ".png"},
		{"traversal", map[string]any{"48": "../48.png"}, `icons["48"]`, "inside the bundle"},
		{"absolute", map[string]any{"48": "/icons/48.png"}, `icons["48"]`, "relative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(mutate(t, func(d map[string]any) { d["icons"] = tt.icons }))
			fe := findField(err, tt.field)
			if fe == nil || !strings.Contains(fe.Msg, tt.msg) {
				t.Fatalf("want %s: ...%s... in %v", tt.field, tt.msg, err)
			}
		})
	}
	m, err := Parse(mutate(t, func(d map[string]any) {
		d["icons"] = map[string]any{"128": "icons/128.png", "16": "icons/16.png", "48": "icons/48.png"}
	}))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.IconSizes(); len(got) != 3 || got[0] != 16 || got[1] != 48 || got[2] != 128 {
		t.Errorf("IconSizes = %v", got)
	}
}

func TestCheckPNG(t *testing.T) {
	t.Parallel()
	ok := pngOf(t, 48, 48)
	if err := CheckPNG(ok[:IconHeaderSize], 48); err != nil {
		t.Errorf("CheckPNG(48x48, 48) = %v", err)
	}
	for name, tt := range map[string]struct {
		head []byte
		size int
		msg  string
	}{
		"wrong size":   {ok, 16, "48x48 pixels, the manifest says 16x16"},
		"not square":   {pngOf(t, 48, 47), 48, "48x47"},
		"jpeg":         {[]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xdb\x00\x43"), 48, "PNG signature"},
		"short":        {ok[:10], 48, "PNG signature"},
		"no IHDR":      {append(append([]byte{}, ok[:12]...), []byte("IDAT\x00\x00\x00\x30\x00\x00\x00\x30")...), 48, "IHDR"},
		"IHDR too big": {append(append(append([]byte{}, ok[:8]...), 0, 0, 0, 14), ok[12:]...), 48, "IHDR"},
	} {
		err := CheckPNG(tt.head, tt.size)
		if !errors.Is(err, ErrNotPNG) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: CheckPNG = %v, want ErrNotPNG with %q", name, err, tt.msg)
		}
	}
}

func TestCheckFilesIcons(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "ui", "index.html"), "<p>hi</p>")
	writeFile(t, filepath.Join(dir, "icons", "16.png"), string(pngOf(t, 16, 16)))
	writeFile(t, filepath.Join(dir, "icons", "48.png"), string(pngOf(t, 32, 32)))
	writeFile(t, filepath.Join(dir, "icons", "fake.png"), "GIF89a not a png at all, really")
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "icons", "out.png")); err != nil {
		t.Fatal(err)
	}
	m := &Manifest{ManifestVersion: 1, ID: "com.example.x", Name: "X", Version: "1.0.0", Host: "*",
		UI:    &UI{Entry: "ui/index.html"},
		Icons: map[string]string{"16": "icons/16.png", "48": "icons/48.png", "64": "icons/fake.png", "128": "icons/128.png", "256": "icons/out.png"}}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	err := m.CheckFiles(dir)
	for field, msg := range map[string]string{
		`icons["48"]`:  "32x32 pixels, the manifest says 48x48",
		`icons["64"]`:  "PNG signature",
		`icons["128"]`: "does not exist",
		`icons["256"]`: "outside the bundle",
	} {
		if fe := findField(err, field); fe == nil || !strings.Contains(fe.Msg, msg) {
			t.Errorf("want %s: ...%s... in %v", field, msg, err)
		}
	}
	if fe := findField(err, `icons["16"]`); fe != nil {
		t.Errorf("a good icon was refused: %v", fe)
	}
}

func FuzzCheckPNG(f *testing.F) {
	f.Add(pngOf(f, 16, 16), 16)
	f.Add(pngOf(f, 16, 17), 16)
	f.Add([]byte("\x89PNG\r\n\x1a\n"), 48)
	f.Fuzz(func(t *testing.T, head []byte, size int) {
		if CheckPNG(head, size) != nil {
			return
		}
		// Accepted: the signature, a 13-byte IHDR first, and the size.
		if !bytes.HasPrefix(head, pngSignature) || string(head[12:16]) != "IHDR" || size <= 0 {
			t.Fatalf("accepted %q as a %d-pixel PNG", head, size)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(head))
		if err == nil && (cfg.Width != size || cfg.Height != size) {
			t.Fatalf("accepted a %dx%d image as %d", cfg.Width, cfg.Height, size)
		}
	})
}
