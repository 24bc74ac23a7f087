package fetch

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/wardenhq/warden/permissions"
)

func FuzzRequest(f *testing.F) {
	seeds := []string{
		`{"url":"https://api.example.com/v1?q=1"}`,
		`{"method":"post","url":"http://127.0.0.1:8080/","headers":{"Content-Type":"application/json"},"body":"aGVsbG8="}`,
		`{"url":"http://user:pw@example.com/"}`,
		`{"url":"file:///etc/passwd"}`,
		`{"url":"http://[::1]:80/","headers":{"Proxy-Authorization":"x","Host":"y"}}`,
		`{"url":"http://example.com/","headers":{"X":"a\r\nb"}}`,
		`{"method":"CONNECT","url":"http:example.com"}`,
		`{"url":"http://%zz/"}`,
		`{}`, `null`, `[]`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var r Request
		if json.Unmarshal(data, &r) != nil {
			return
		}
		u, err := r.Validate()
		if err != nil {
			if !errors.Is(err, ErrBadRequest) && !errors.Is(err, ErrScheme) {
				t.Fatalf("Validate error outside the sentinels: %v", err)
			}
			return
		}
		// What passes must be safe to hand to net/http as is.
		if u.Scheme != "http" && u.Scheme != "https" || u.User != nil || u.Hostname() == "" {
			t.Fatalf("accepted url %q", r.URL)
		}
		if !methods[r.Method] {
			t.Fatalf("accepted method %q", r.Method)
		}
		req, err := http.NewRequest(r.Method, u.String(), nil)
		if err != nil {
			t.Fatalf("accepted request net/http refuses: %v", err)
		}
		for name, value := range r.Headers {
			c := http.CanonicalHeaderKey(name)
			if c == "Host" || strings.HasPrefix(c, "Proxy-") || strings.ContainsAny(value, "\r\n\x00") {
				t.Fatalf("accepted header %q: %q", name, value)
			}
			req.Header[c] = []string{value}
		}
	})
}

// FuzzParseURL checks that what ParseURL accepts is canonical, is sent as
// it was decided, and that a wildcard scope never lets it reach a local
// host.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"http://example.com/a/../b?c d", "http://127.0.0.1:8080/api/%2e%2e/admin", "http://2130706433/",
		"http://0x7f.1/", "http://[::ffff:127.0.0.1]/", "http://[fe80::1%25eth0]/", "http://ｌｏｃａｌｈｏｓｔ/",
		"http://localhost./x/..;/y", "https://a.example.com/%252e/", "http://u@127.0.0.1/", "http://x/a\\b",
		"http://[64:ff9b::7f00:1]/", "http://0.0.0.0/", "http://x/?q=é#f",
	} {
		f.Add(s)
	}
	wildcard, err := permissions.ParseMatchPattern("*://*/*")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := ParseURL(raw)
		if err != nil {
			if !errors.Is(err, ErrBadRequest) && !errors.Is(err, ErrScheme) {
				t.Fatalf("ParseURL(%q) error outside the sentinels: %v", raw, err)
			}
			return
		}
		esc := u.EscapedPath()
		if p, err := permissions.CanonicalURLPath(esc); err != nil || p != esc {
			t.Fatalf("ParseURL(%q) path %q is not canonical: %q, %v", raw, esc, p, err)
		}
		if err := permissions.CheckURLHost(u); err != nil {
			t.Fatalf("ParseURL(%q) host: %v", raw, err)
		}
		again, err := ParseURL(u.String())
		if err != nil || again.RequestURI() != u.RequestURI() || again.Host != u.Host {
			t.Fatalf("ParseURL(%q) = %q does not survive a second pass: %v, %v", raw, u, again, err)
		}
		for _, c := range []byte(u.RequestURI()) {
			if c <= ' ' || c >= 0x7f {
				t.Fatalf("ParseURL(%q) request line target %q holds byte %#x", raw, u.RequestURI(), c)
			}
		}
		if wildcard.Match(u) {
			h := u.Hostname()
			if a, err := netip.ParseAddr(h); err == nil && !permissions.IsPublicAddr(a) || permissions.IsLocalName(h) {
				t.Fatalf("*://*/* matched %q (from %q), a local host", u, raw)
			}
		}
	})
}
