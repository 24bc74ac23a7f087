package permissions

import (
	"net/url"
	"testing"
)

func TestParseMatchPatternErrors(t *testing.T) {
	t.Parallel()
	bad := []string{
		"",
		"all_urls",
		"<ALL_URLS>",
		"file:///foo*",
		"ftp://example.com/*",
		"ws://example.com/*",
		"chrome-extension://abc/*",
		"HTTP://example.com/*",
		"http://example.com",
		"https://example.com",
		"*://*",
		"http:///*",
		"http://:80/*",
		"http://*foo.com/*",
		"http://foo.*.com/*",
		"http://foo.com*/*",
		"http://**/*",
		"https://*./",
		"https://*.*.example.com/*",
		"https://*.127.0.0.1/*",
		"https://exa mple.com/*",
		"https://exämple.com/*",
		"https://example..com/*",
		"https://example.com./*",
		"https://.example.com/*",
		"https://127.1/*",
		"https://1.2.3.4.5/*",
		"https://999.1.1.1/*",
		"https://example.com:/*",
		"https://example.com:0/*",
		"https://example.com:65536/*",
		"https://example.com:08/*",
		"https://example.com:x/*",
		"https://example.com:8080:90/*",
		"http://[::1/*",
		"http://[::1]x/*",
		"http://[1.2.3.4]/*",
		"http://[fe80::1%25eth0]/*",
		"http://*.localhost/*",
		"*://*.LocalHost:8080/*",
		"https://0x7f.0.0.1/*",
		"https://2130706433/*",
		"https://0177.0.0.1/*",
		"http://[zz::1]/*",
		"https://example.com/a b",
		"https://example.com/a#b",
		"https://example.com/a\x00",
		"https://example.com/é",
	}
	for _, s := range bad {
		if p, err := ParseMatchPattern(s); err == nil {
			t.Errorf("ParseMatchPattern(%q) = %+v, want error", s, p)
		}
	}
}

func TestMatchPattern(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pat, url string
		want     bool
	}{
		{"<all_urls>", "http://example.com/", true},
		{"<all_urls>", "https://a.b.example.com:8443/x?y=1", true},
		{"<all_urls>", "file:///etc/passwd", false},
		{"<all_urls>", "ftp://example.com/", false},
		{"<all_urls>", "http:///x", false},

		{"*://*/*", "http://example.com/", true},
		{"*://*/*", "https://www.google.com/foo/bar", true},
		{"*://*/*", "http://127.0.0.1:9000/x", false},
		{"http://127.0.0.1:9000/*", "http://127.0.0.1:9000/x", true},
		{"*://*/*", "ws://example.com/", false},
		{"*://*/*", "file:///tmp/x", false},

		{"http://*/*", "http://example.com/", true},
		{"http://*/*", "https://example.com/", false},
		{"https://*/*", "http://example.com/", false},
		{"https://*/", "https://example.com/", true},
		{"https://*/", "https://example.com", true},
		{"https://*/", "https://example.com/x", false},

		{"https://*.example.com/*", "https://example.com/", true},
		{"https://*.example.com/*", "https://api.example.com/v1", true},
		{"https://*.example.com/*", "https://a.b.example.com/", true},
		{"https://*.example.com/*", "https://API.Example.COM/", true},
		{"https://*.example.com/*", "https://badexample.com/", false},
		{"https://*.example.com/*", "https://example.com.evil.com/", false},
		{"https://*.example.com/*", "https://example.org/", false},
		{"https://*.EXAMPLE.com/*", "https://www.example.com/", true},

		{"https://api.example.com/*", "https://api.example.com/x", true},
		{"https://api.example.com/*", "https://api.example.com./x", true},
		{"https://api.example.com/*", "https://www.api.example.com/x", false},
		{"https://api.example.com/*", "https://user:pw@api.example.com/x", true},

		// No port in the pattern means any port (Chrome's rule).
		{"http://127.0.0.1/*", "http://127.0.0.1/", true},
		{"http://127.0.0.1/*", "http://127.0.0.1:8080/foo", true},
		{"http://127.0.0.1/*", "http://127.0.0.2/", false},
		{"http://127.0.0.1/*", "http://127.0.0.1.example.com/", false},
		{"http://127.0.0.1:8080/*", "http://127.0.0.1:8080/foo", true},
		{"http://127.0.0.1:8080/*", "http://127.0.0.1/foo", false},
		{"http://127.0.0.1:8080/*", "http://127.0.0.1:8081/foo", false},
		{"http://127.0.0.1:80/*", "http://127.0.0.1/foo", true},
		{"https://example.com:443/*", "https://example.com/", true},
		{"https://example.com:443/*", "https://example.com:444/", false},
		{"https://example.com:*/*", "https://example.com:444/", true},
		{"http://localhost/*", "http://localhost:3000/x", true},

		{"http://[::1]/*", "http://[::1]:8080/", true},
		{"http://[::1]:8080/*", "http://[::1]:8080/", true},
		{"http://[::1]:8080/*", "http://[::1]/", false},
		{"http://[0:0::1]/*", "http://[::1]/", true},
		{"http://[::1]/*", "http://[::2]/", false},
		{"http://*.example.com/*", "http://[::1]/", false},

		{"https://*/foo*", "https://example.com/foo/bar.html", true},
		{"https://*/foo*", "https://www.google.com/foo", true},
		{"https://*/foo*", "https://www.google.com/bar/foo", false},
		{"https://*.google.com/foo*bar", "https://www.google.com/foo/baz/bar", true},
		{"https://*.google.com/foo*bar", "https://docs.google.com/foobar", true},
		{"https://*.google.com/foo*bar", "https://docs.google.com/foobarx", false},
		{"https://example.com/api/*", "https://example.com/admin", false},
		{"https://example.com/api/*", "https://example.com/api/", true},
		{"https://example.com/api", "https://example.com/api?x=1", false},
		{"https://example.com/api*", "https://example.com/api?x=1", true},
		{"https://example.com/api?x=*", "https://example.com/api?x=1", true},
		{"https://example.com/api?x=*", "https://example.com/api#x=1", false},
		{"https://example.com/a%20b", "https://example.com/a%20b", true},
		{"https://example.com/a%20b", "https://example.com/a b", true},
		{"https://example.com/", "https://example.com/#frag", true},
	}
	for _, tt := range tests {
		p, err := ParseMatchPattern(tt.pat)
		if err != nil {
			t.Fatalf("ParseMatchPattern(%q): %v", tt.pat, err)
		}
		if p.String() != tt.pat {
			t.Errorf("String() = %q, want %q", p.String(), tt.pat)
		}
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatalf("url.Parse(%q): %v", tt.url, err)
		}
		if got := p.Match(u); got != tt.want {
			t.Errorf("%q.Match(%q) = %v, want %v", tt.pat, tt.url, got, tt.want)
		}
	}
	var zero MatchPattern
	if zero.Match(&url.URL{Scheme: "https", Host: "example.com", Path: "/"}) {
		t.Error("zero MatchPattern matched")
	}
	p, _ := ParseMatchPattern("<all_urls>")
	if p.Match(nil) {
		t.Error("Match(nil) = true")
	}
}

func TestMatchPatternHostFoldsOnlyASCII(t *testing.T) {
	t.Parallel()
	p := mustMatch(t, "https://kelvin.example.com/*")
	for _, tt := range []struct {
		host string
		want bool
	}{{"KELVIN.example.com", true}, {"\u212aelvin.example.com", false}, {"kelvin.example.com", true}} {
		if got := p.Match(&url.URL{Scheme: "https", Host: tt.host, Path: "/"}); got != tt.want {
			t.Errorf("Match(%q) = %v, want %v", tt.host, got, tt.want)
		}
	}
}
