package permissions

import (
	"errors"
	"net/netip"
	"net/url"
	"testing"
)

// nonPublicHosts are URL hosts an attacker would use to reach the user's
// machine or networks through a wildcard scope: every spelling of loopback,
// private, link-local, metadata, unspecified and multicast addresses, and the
// number forms resolvers and browsers read as IPv4.
var nonPublicHosts = []string{
	"127.0.0.1", "127.0.0.1:8080", "127.255.255.254",
	"localhost", "LOCALHOST", "localhost.", "LocalHost.:80", "a.localhost", "A.B.LOCALHOST.",
	"[::1]", "[0:0:0:0:0:0:0:1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::7f00:1]",
	"[64:ff9b::7f00:1]", "[64:ff9b::a9fe:a9fe]", "[64:ff9b::10.0.0.5]", "[64:ff9b:1::1]",
	"[2002:7f00:1::1]", "[2002:c0a8:101::1]",
	"[fc00::1]", "[fd12:3456::1]", "[fe80::1]", "[fe80::1%25eth0]", "[fec0::1]", "[ff02::1]", "[ff05::2]",
	"0.0.0.0", "0.1.2.3", "[::]",
	"169.254.169.254", "[::ffff:169.254.169.254]", "[::ffff:a9fe:a9fe]",
	"10.0.0.5", "172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1",
	"192.0.0.1", "198.18.0.1", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
	"[2001:db8::1]", "[2001::1]",
	// Numbers a C resolver or a browser reads as 127.0.0.1 or 169.254.169.254.
	"2130706433", "0177.0.0.1", "0x7f.0.0.1", "0x7f000001", "0X7F.1", "127.1", "127.0.1",
	"017700000001", "127.0.0.0x1", "2852039166", "0xa9.0xfe.0xa9.0xfe", "127.0.0.1.",
	// Spellings an HTTP client maps to ASCII behind the decision's back.
	"ｌｏｃａｌｈｏｓｔ", "１２７.０.０.１", "127。0。0。1",
}

var publicHosts = []string{
	"example.com", "api.example.com:8443", "EXAMPLE.com.", "1.2.3.4", "8.8.8.8:53",
	"[2606:4700:4700::1111]", "[::ffff:8.8.8.8]", "[64:ff9b::808:808]", "[2002:808:808::1]",
}

// TestWildcardScopesDoNotReachLocalHosts is the attacker with a wildcard
// scope aiming at the user's machine or network: every such host is denied,
// while public hosts stay allowed.
func TestWildcardScopesDoNotReachLocalHosts(t *testing.T) {
	t.Parallel()
	for _, pat := range []string{AllURLs, "*://*/*", "http://*/*", "https://*/*", "*://*:*/*", "http://*/api/*"} {
		p := mustMatch(t, pat)
		for _, scheme := range []string{"http", "https"} {
			for _, host := range nonPublicHosts {
				raw := scheme + "://" + host + "/api/x"
				u, err := url.Parse(raw)
				if err != nil {
					continue // net/url refuses it: it can never be fetched
				}
				if p.Match(u) {
					t.Errorf("%q matched %q", pat, raw)
				}
				// The same host behind userinfo that names a public one.
				u.User = url.UserPassword("example.com", "x")
				if p.Match(u) {
					t.Errorf("%q matched %q with userinfo", pat, u)
				}
			}
			for _, host := range publicHosts {
				raw := scheme + "://" + host + "/api/x"
				u, err := url.Parse(raw)
				if err != nil {
					t.Fatal(err)
				}
				want := pat == AllURLs || pat[0] == '*' || pat[:len(scheme)+1] == scheme+":"
				if got := p.Match(u); got != want {
					t.Errorf("%q.Match(%q) = %v, want %v", pat, raw, got, want)
				}
			}
		}
	}
	// "*.name" is a wildcard too: a public suffix does not bring its
	// IP-literal or localhost look-alikes in.
	p := mustMatch(t, "*://*.example.com/*")
	for _, raw := range []string{"http://localhost/", "http://example.com.localhost/", "http://127.0.0.1/", "http://2130706433/"} {
		if p.Match(mustURL(t, raw)) {
			t.Errorf("%q matched %q", p, raw)
		}
	}
}

// TestExactScopeIsNotFooledBySpellings is the attacker holding a scope that
// names one local address exactly and trying other spellings of it (which a
// resolver would turn into the same or another local address) or a
// neighbouring host.
func TestExactScopeIsNotFooledBySpellings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pat, url string
		want     bool
	}{
		{"http://127.0.0.1:8080/*", "http://127.0.0.1:8080/x", true},
		{"http://127.0.0.1:8080/*", "http://2130706433:8080/x", false},
		{"http://127.0.0.1:8080/*", "http://127.1:8080/x", false},
		{"http://127.0.0.1:8080/*", "http://0177.0.0.1:8080/x", false},
		{"http://127.0.0.1:8080/*", "http://0x7f.0.0.1:8080/x", false},
		{"http://127.0.0.1:8080/*", "http://127.0.0.1.:8080/x", false},
		{"http://127.0.0.1:8080/*", "http://[::ffff:127.0.0.1]:8080/x", false},
		{"http://127.0.0.1:8080/*", "http://[::1]:8080/x", false},
		{"http://127.0.0.1:8080/*", "http://localhost:8080/x", false},
		{"http://127.0.0.1:8080/*", "http://１２７.０.０.１:8080/x", false},
		{"http://[::1]:8080/*", "http://[::1]:8080/x", true},
		{"http://[::1]:8080/*", "http://[0::1]:8080/x", true},
		{"http://[::1]:8080/*", "http://[::ffff:127.0.0.1]:8080/x", false},
		{"http://[fe80::1]/*", "http://[fe80::1%25eth0]/x", false},
		{"http://localhost:8080/*", "http://localhost:8080/x", true},
		{"http://localhost:8080/*", "http://LOCALHOST:8080/x", true},
		{"http://localhost:8080/*", "http://localhost.:8080/x", true},
		{"http://localhost:8080/*", "http://a.localhost:8080/x", false},
		{"http://localhost:8080/*", "http://ｌｏｃａｌｈｏｓｔ:8080/x", false},
		{"http://localhost:8080/*", "http://127.0.0.1:8080/x", false},
		{"http://169.254.169.254/*", "http://169.254.169.254/latest", true},
		{"http://169.254.169.254/*", "http://2852039166/latest", false},
		{"http://0.0.0.0:8080/*", "http://0.0.0.0:8080/", true},
		{"http://0.0.0.0:8080/*", "http://0:8080/", false},
	}
	for _, tt := range tests {
		if got := mustMatch(t, tt.pat).Match(mustURL(t, tt.url)); got != tt.want {
			t.Errorf("%q.Match(%q) = %v, want %v", tt.pat, tt.url, got, tt.want)
		}
	}
}

// TestPathScopeDoesNotEscapeWithDots is the attacker holding only
// "/api/*" and spelling a path that a normalising server serves from
// /admin. None of them match; the canonical form of each is decided on
// instead (see TestCanonicalURLPath).
func TestPathScopeDoesNotEscapeWithDots(t *testing.T) {
	t.Parallel()
	p := mustMatch(t, "http://127.0.0.1:8080/api/*")
	for _, path := range []string{
		"/api/../admin/x", "/api/./../admin/x", "/api/%2e%2e/admin/x", "/api/%2E%2E/admin/x",
		"/api/.%2e/admin/x", "/api/%2e./admin/x", "/api/..%2fadmin/x", "/api/..%2Fadmin/x",
		"/api/%2e%2e%2fadmin/x", "/api/..%5cadmin/x", "/api/..\\admin/x", "/api\\..\\admin/x",
		"/api/..;/admin/x", "/api/..;x=1/admin/x", "/api/.;/../admin/x", "/api/..%3b/admin/x",
		"/api/%252e%252e/admin/x", "/api/..%252fadmin/x", "/api/x/../../admin/x",
		"/api//../../admin/x", "/api/.", "/api/..", "/api/x/..",
	} {
		raw := "http://127.0.0.1:8080" + path
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("url.Parse(%q): %v", raw, err)
		}
		if p.Match(u) {
			t.Errorf("%q matched %q", p, raw)
		}
	}
	for _, path := range []string{"/api/x", "/api/", "/api/a%20b", "/api/x/y?z=../../admin", "/api/file.txt", "/api/...", "/api/..x", "/api/x;y=1"} {
		if raw := "http://127.0.0.1:8080" + path; !p.Match(mustURL(t, raw)) {
			t.Errorf("%q did not match %q", p, raw)
		}
	}
}

func TestCanonicalURLPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string // want "" with err
		err      bool
	}{
		{in: "", want: ""},
		{in: "/", want: "/"},
		{in: "/api/x", want: "/api/x"},
		{in: "/api/../admin/x", want: "/admin/x"},
		{in: "/api/%2e%2e/admin/x", want: "/admin/x"},
		{in: "/api/%2E./admin/x", want: "/admin/x"},
		{in: "/a/b/c/./../../g", want: "/a/g"},
		{in: "/a/b/..", want: "/a/"},
		{in: "/a/.", want: "/a/"},
		{in: "/..", want: "/"},
		{in: "/../../etc/passwd", want: "/etc/passwd"},
		{in: "/api//../admin", want: "/api/admin"},
		{in: "/file%2etxt", want: "/file.txt"},
		{in: "/a%20b", want: "/a%20b"},
		{in: "/...", want: "/..."},
		{in: "/api/..%2fadmin/x", err: true},
		{in: "/api/%2F", err: true},
		{in: "/api/..%5Cadmin", err: true},
		{in: "/api\\..\\admin", err: true},
		{in: "/api/..;/admin", err: true},
		{in: "/api/.%2e;jsessionid=1/admin", err: true},
		{in: "/api/..%3B/admin", err: true},
		{in: "/api/%252e%252e/admin", err: true},
		{in: "/api/%255C", err: true},
		{in: "/api/%zz", err: true},
		{in: "/api/%2", err: true},
		{in: "api", err: true},
	}
	for _, tt := range tests {
		got, err := CanonicalURLPath(tt.in)
		if tt.err {
			if !errors.Is(err, ErrBadURL) {
				t.Errorf("CanonicalURLPath(%q) = %q, %v; want an ErrBadURL", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("CanonicalURLPath(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
		if again, err := CanonicalURLPath(got); err != nil || again != got {
			t.Errorf("CanonicalURLPath(%q) = %q, %v: not a fixed point", got, again, err)
		}
	}
}

func TestCheckURLHost(t *testing.T) {
	t.Parallel()
	for _, host := range []string{"example.com", "EXAMPLE.com.", "localhost", "127.0.0.1", "[::1]", "a_b.example", "xn--bcher-kva.example"} {
		if err := CheckURLHost(&url.URL{Scheme: "http", Host: host}); err != nil {
			t.Errorf("CheckURLHost(%q) = %v", host, err)
		}
	}
	for _, host := range []string{"2130706433", "0177.0.0.1", "0x7f.1", "127.1", "127.0.0.1.", "[fe80::1%eth0]", "[1.2.3.4]", "ｌｏｃａｌｈｏｓｔ", "a..b", "", "a b"} {
		if err := CheckURLHost(&url.URL{Scheme: "http", Host: host}); !errors.Is(err, ErrBadURL) {
			t.Errorf("CheckURLHost(%q) = %v, want ErrBadURL", host, err)
		}
	}
}

func TestIsPublicAddr(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"1.1.1.1", "8.8.8.8", "::ffff:8.8.8.8", "2606:4700:4700::1111", "64:ff9b::808:808", "2002:808:808::1", "2a00:1450::1"} {
		if !IsPublicAddr(netip.MustParseAddr(s)) {
			t.Errorf("IsPublicAddr(%s) = false", s)
		}
	}
	for _, s := range []string{
		"0.0.0.0", "0.1.2.3", "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.0.1", "100.64.0.1",
		"169.254.169.254", "192.0.0.8", "192.0.2.1", "198.18.5.5", "224.0.0.1", "240.0.0.1", "255.255.255.255",
		"::", "::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::7f00:1", "64:ff9b::7f00:1", "64:ff9b:1::1",
		"2002:7f00:1::", "2001::1", "2001:db8::1", "3fff::1", "fc00::1", "fd00::1", "fe80::1", "fe80::1%eth0",
		"fec0::1", "ff02::1", "100::1",
	} {
		if IsPublicAddr(netip.MustParseAddr(s)) {
			t.Errorf("IsPublicAddr(%s) = true", s)
		}
	}
	if IsPublicAddr(netip.Addr{}) {
		t.Error("IsPublicAddr(zero) = true")
	}
}
