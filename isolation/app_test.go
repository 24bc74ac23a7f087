package isolation

import (
	"encoding/base64"
	"html"
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

func TestApp(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"index.html", "isolation.js"} {
		b, err := fs.ReadFile(App(), name)
		if err != nil {
			t.Fatalf("App() lacks %s: %v", name, err)
		}
		if len(b) == 0 {
			t.Fatalf("%s is empty", name)
		}
	}
	js, _ := fs.ReadFile(App(), "isolation.js")
	// Classic script: no module syntax.
	if regexp.MustCompile(`(?m)^\s*(import|export)\b`).Match(js) {
		t.Error("isolation.js uses module syntax")
	}
}

// TestDocumentLoadsNothing: the isolation document is served with
// "default-src 'none'; script-src 'none'" (host/webview), and isolation.js
// runs as a user script in its own world. A document that still asked for
// a script, style, image or frame would log a CSP violation in every
// plugin's console, and a real violation would no longer stand out.
func TestDocumentLoadsNothing(t *testing.T) {
	t.Parallel()
	doc, err := Document(Key{}, "com.example.t", "l1")
	if err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`(?i)<(script|link|style|img|iframe|object|embed|base|meta\s+http-equiv)\b|\s(src|href|srcset|action)\s*=`).Find(doc); m != nil {
		t.Errorf("the isolation document loads %q, which its CSP refuses:\n%s", m, doc)
	}
}

// attrs returns the data-warden-* attributes of the <html> tag, unescaped.
func attrs(t *testing.T, doc []byte) map[string]string {
	t.Helper()
	tag := regexp.MustCompile(`<html\b[^>]*>`).Find(doc)
	if tag == nil {
		t.Fatalf("no <html> tag in %s", doc)
	}
	out := make(map[string]string)
	for _, m := range regexp.MustCompile(`\sdata-warden-([a-z]+)="([^"]*)"`).FindAllSubmatch(tag, -1) {
		out[string(m[1])] = html.UnescapeString(string(m[2]))
	}
	return out
}

func TestDocument(t *testing.T) {
	t.Parallel()
	key := newTestKey(t)
	tests := []struct{ plugin, launch string }{
		{testPlugin, testLaunch},
		{`x"><script>alert(1)</script>`, `'&<>+=` + "`"},
		{"com.example.日本", "l"},
	}
	for _, tt := range tests {
		doc, err := Document(key, tt.plugin, tt.launch)
		if err != nil {
			t.Fatalf("Document(%q, %q): %v", tt.plugin, tt.launch, err)
		}
		if strings.Contains(string(doc), "{{") {
			t.Fatalf("unrendered template in %s", doc)
		}
		if strings.Contains(string(doc), "<script") {
			t.Fatalf("ids escaped badly, extra script tags in %s", doc)
		}
		a := attrs(t, doc)
		if a["plugin"] != tt.plugin || a["launch"] != tt.launch {
			t.Fatalf("attributes %q, want plugin %q launch %q", a, tt.plugin, tt.launch)
		}
		k, err := base64.RawURLEncoding.DecodeString(a["key"])
		if err != nil || Key(k) != key {
			t.Fatalf("key attribute %q does not hold the key (%v)", a["key"], err)
		}
	}
	for _, bad := range [][2]string{{"", testLaunch}, {testPlugin, ""}, {"a\x00", testLaunch}} {
		if _, err := Document(key, bad[0], bad[1]); err == nil {
			t.Errorf("Document(%q, %q) succeeded", bad[0], bad[1])
		}
	}
}

func TestRenderDocument(t *testing.T) {
	t.Parallel()
	key := newTestKey(t)
	tmpl := `<html data-warden-key="{{.Key}}" data-warden-plugin="{{.PluginID}}" data-warden-launch="{{.LaunchID}}"><script src="custom.js"></script>`
	doc, err := RenderDocument([]byte(tmpl), key, "a<b", testLaunch)
	if err != nil {
		t.Fatal(err)
	}
	if a := attrs(t, doc); a["plugin"] != "a<b" || a["launch"] != testLaunch {
		t.Fatalf("attributes %q", a)
	}
	if _, err := RenderDocument([]byte(`{{.Nope}}`), key, testPlugin, testLaunch); err == nil {
		t.Error("unknown template field accepted")
	}
	if _, err := RenderDocument([]byte(`{{`), key, testPlugin, testLaunch); err == nil {
		t.Error("bad template accepted")
	}
}
