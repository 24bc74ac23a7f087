package webview

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testFiles(t *testing.T) *pluginFiles {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "p")
	for name, body := range map[string]string{
		"ui/index.html": "<p>hi</p>", "ui/app.js": "1", "ui/img/a.PNG": "png", "data.bin": "x",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "secret"), []byte("s"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "secret"), filepath.Join(dir, "ui", "out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("app.js", filepath.Join(dir, "ui", "in.js")); err != nil {
		t.Fatal(err)
	}
	f, err := newPluginFiles("com.example.t", dir, []string{"default-src 'self'", "img-src 'none'"})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestPluginFilesServe(t *testing.T) {
	f := testFiles(t)
	tests := []struct {
		uri, method string
		status      int
		ctype, body string
	}{
		{"plugin://com.example.t/ui/index.html", "GET", 200, "text/html; charset=utf-8", "<p>hi</p>"},
		{"plugin://com.example.t/ui/app.js?v=1#x", "GET", 200, "text/javascript; charset=utf-8", "1"},
		{"plugin://COM.example.t/ui/app.js", "GET", 200, "text/javascript; charset=utf-8", "1"},
		{"plugin://com.example.t/ui/img/a.PNG", "GET", 200, "image/png", "png"},
		{"plugin://com.example.t/data.bin", "GET", 200, "application/octet-stream", "x"},
		{"plugin://com.example.t/ui/in.js", "GET", 200, "text/javascript; charset=utf-8", "1"},
		{"plugin://com.example.t/ui/app.js", "HEAD", 200, "text/javascript; charset=utf-8", "1"},
		{"plugin://com.example.t/../../etc/passwd", "GET", 404, "", ""},
		{"plugin://com.example.t/ui/%2e%2e/%2e%2e/secret", "GET", 404, "", ""},
		{"plugin://com.example.t/ui/..%2f..%2fsecret", "GET", 404, "", ""},
		{"plugin://com.example.t/ui/out", "GET", 404, "", ""},
		{"plugin://com.example.t/ui/", "GET", 404, "", ""},
		{"plugin://com.example.t/", "GET", 404, "", ""},
		{"plugin://com.example.t/ui/missing.js", "GET", 404, "", ""},
		{"plugin://com.example.t/ui\\app.js", "GET", 404, "", ""},
		{"plugin://com.example.t/ui/app.js%00.png", "GET", 404, "", ""},
		{"plugin://com.example.other/ui/app.js", "GET", 404, "", ""},
		{"isolation://com.example.t/ui/app.js", "GET", 404, "", ""},
		{"plugin://user@com.example.t/ui/app.js", "GET", 404, "", ""},
		{"plugin://com.example.t/ui/app.js", "POST", 405, "", ""},
		{"plugin://%zz/", "GET", 404, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.uri, func(t *testing.T) {
			r := f.serve(&Request{URI: tt.uri, Method: tt.method})
			if r.Status != tt.status {
				t.Fatalf("status %d, want %d", r.Status, tt.status)
			}
			// Every response, errors included, carries the policy.
			if got := r.Headers.Values("Content-Security-Policy"); len(got) != 2 || got[1] != "img-src 'none'" {
				t.Fatalf("CSP headers %q", got)
			}
			if r.Headers.Get("X-Content-Type-Options") != "nosniff" {
				t.Fatal("no nosniff header")
			}
			if tt.status == http.StatusOK && (r.ContentType != tt.ctype || string(r.Body) != tt.body) {
				t.Fatalf("got %q %q, want %q %q", r.ContentType, r.Body, tt.ctype, tt.body)
			}
		})
	}
}

func TestPluginFilesResolveOutside(t *testing.T) {
	f := testFiles(t)
	if _, err := f.resolve("plugin://com.example.t/ui/out"); !errors.Is(err, ErrOutside) {
		t.Fatalf("symlink out of the directory: %v, want ErrOutside", err)
	}
}

func TestWithin(t *testing.T) {
	tests := []struct {
		dir, name string
		want      bool
	}{
		{"/a/b", "/a/b", true},
		{"/a/b", "/a/b/c", true},
		{"/a/b", "/a/bc", false},
		{"/a/b", "/a", false},
		{"/", "/x", true},
	}
	for _, tt := range tests {
		if got := within(tt.dir, tt.name); got != tt.want {
			t.Errorf("within(%q, %q) = %v", tt.dir, tt.name, got)
		}
	}
}

// FuzzPluginResolve checks that no URI from a page resolves outside the
// plugin directory.
func FuzzPluginResolve(f *testing.F) {
	for _, s := range []string{"plugin://com.example.t/ui/index.html", "plugin://com.example.t/../secret",
		"plugin://com.example.t/ui/%2e%2e/%2e%2e/secret", "plugin://com.example.t/ui/out", "plugin://com.example.t//x/./../ui/app.js"} {
		f.Add(s)
	}
	root := f.TempDir()
	dir := filepath.Join(root, "p")
	if err := os.MkdirAll(filepath.Join(dir, "ui"), 0o755); err != nil {
		f.Fatal(err)
	}
	os.WriteFile(filepath.Join(root, "secret"), []byte("s"), 0o644)
	os.WriteFile(filepath.Join(dir, "ui", "app.js"), []byte("1"), 0o644)
	os.Symlink(filepath.Join(root, "secret"), filepath.Join(dir, "ui", "out"))
	files, err := newPluginFiles("com.example.t", dir, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		name, err := files.resolve(uri)
		if err != nil {
			return
		}
		if !within(files.dir, name) || strings.Contains(name, "secret") {
			t.Fatalf("%q resolved to %q", uri, name)
		}
	})
}
