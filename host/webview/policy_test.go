package webview

import (
	"strings"
	"testing"
)

func TestAllowNavigation(t *testing.T) {
	const id = "com.example.t"
	tests := []struct {
		name string
		n    Navigation
		want bool
	}{
		{"own page", Navigation{URI: "plugin://com.example.t/ui/index.html"}, true},
		{"own page response in main frame", Navigation{URI: "plugin://com.example.t/ui/b.html", Response: true, MainFrame: true}, true},
		{"own page with fragment", Navigation{URI: "plugin://com.example.t/ui/index.html#a"}, true},
		{"isolation frame", Navigation{URI: "isolation://com.example.t/"}, true},
		{"isolation frame response in a subframe", Navigation{URI: "isolation://com.example.t/", Response: true}, true},
		{"isolation document in the main frame", Navigation{URI: "isolation://com.example.t/", Response: true, MainFrame: true}, false},
		{"other isolation path", Navigation{URI: "isolation://com.example.t/isolation.js"}, false},
		{"isolation with query", Navigation{URI: "isolation://com.example.t/?x"}, false},
		{"other plugin", Navigation{URI: "plugin://com.example.other/ui/index.html"}, false},
		{"other plugin's isolation", Navigation{URI: "isolation://com.example.other/"}, false},
		{"new window of own page", Navigation{URI: "plugin://com.example.t/ui/index.html", NewWindow: true}, false},
		{"https", Navigation{URI: "https://example.com/"}, false},
		{"http loopback", Navigation{URI: "http://127.0.0.1:8080/"}, false},
		{"file", Navigation{URI: "file:///etc/passwd"}, false},
		{"data", Navigation{URI: "data:text/html,<p>x"}, false},
		{"blob", Navigation{URI: "blob:plugin://com.example.t/1234"}, false},
		{"about blank", Navigation{URI: "about:blank"}, false},
		{"javascript", Navigation{URI: "javascript:alert(1)"}, false},
		{"userinfo", Navigation{URI: "plugin://a@com.example.t/"}, false},
		{"port", Navigation{URI: "plugin://com.example.t:1/"}, false},
		{"garbage", Navigation{URI: "%zz"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := allowNavigation(id, tt.n); got != tt.want {
				t.Fatalf("allowNavigation(%+v) = %v", tt.n, got)
			}
		})
	}
}

func FuzzAllowNavigation(f *testing.F) {
	f.Add("plugin://com.example.t/ui/index.html", false, false, false)
	f.Add("isolation://com.example.t/", false, true, true)
	f.Add("https://com.example.t/", false, false, false)
	f.Fuzz(func(t *testing.T, uri string, newWindow, response, mainFrame bool) {
		n := Navigation{URI: uri, NewWindow: newWindow, Response: response, MainFrame: mainFrame}
		if !allowNavigation("com.example.t", n) {
			return
		}
		lower := strings.ToLower(uri) // schemes are case-insensitive
		if newWindow || !(strings.HasPrefix(lower, "plugin://") || strings.HasPrefix(lower, "isolation://")) {
			t.Fatalf("allowed %+v", n)
		}
	})
}

func TestIsolationDocServedOnce(t *testing.T) {
	var refused []string
	d := &isolationDoc{id: "com.example.t", doc: []byte("<html data-warden-key=k>"), refused: func(u string) { refused = append(refused, u) }}
	steps := []struct {
		uri, method string
		reset       bool
		status      int
	}{
		{"isolation://com.example.t/isolation.js", "GET", false, 404},
		{"isolation://com.example.other/", "GET", false, 404},
		{"isolation://com.example.t/", "POST", false, 404},
		{"isolation://com.example.t/", "GET", false, 200},
		{"isolation://com.example.t/", "GET", false, 404},
		{"isolation://com.example.t", "GET", false, 404},
		{"isolation://com.example.t/", "GET", true, 200},
		{"isolation://com.example.t/", "GET", false, 404},
	}
	for i, s := range steps {
		if s.reset {
			d.reset()
		}
		r := d.serve(&Request{URI: s.uri, Method: s.method})
		if r.Status != s.status {
			t.Fatalf("step %d %s: status %d, want %d", i, s.uri, r.Status, s.status)
		}
		if csp := r.Headers.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'none'") || !strings.Contains(csp, "frame-ancestors plugin://com.example.t") {
			t.Fatalf("step %d: CSP %q", i, csp)
		}
		if (r.Status == 200) != strings.Contains(string(r.Body), "data-warden-key") {
			t.Fatalf("step %d: body %q", i, r.Body)
		}
	}
	if len(refused) != 3 {
		t.Fatalf("refusals reported: %q, want 3", refused)
	}
}
