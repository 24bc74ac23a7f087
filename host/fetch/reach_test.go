package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"testing"

	"github.com/wardenhq/warden/permissions"
)

// scopes is the allow check the host builds from a plugin's http scopes.
func scopes(t *testing.T, pats ...string) func(*url.URL) error {
	t.Helper()
	var ps []permissions.MatchPattern
	for _, s := range pats {
		p, err := permissions.ParseMatchPattern(s)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	return func(u *url.URL) error {
		for _, p := range ps {
			if p.Match(u) {
				return nil
			}
		}
		return fmt.Errorf("%s: %w", u.Redacted(), errDenied)
	}
}

// refused reports whether err is one of the refusals Warden makes before
// any byte is sent: out of scope, a malformed or ambiguous URL, or a name at
// a private address.
func refused(err error) bool {
	return errors.Is(err, errDenied) || errors.Is(err, ErrBadRequest) || errors.Is(err, ErrPrivateAddress)
}

// localSpellings are every way an attacker would write the local server's
// address (127.0.0.1:port) to get a wildcard scope to reach it.
func localSpellings(port string) []string {
	hosts := []string{
		"127.0.0.1", "localhost", "LOCALHOST", "localhost.", "LocalHost.", "a.localhost", "a.localhost.",
		"[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[64:ff9b::7f00:1]", "[::7f00:1]", "[::1]", "[::]", "0.0.0.0",
		"2130706433", "0177.0.0.1", "0x7f.0.0.1", "0x7f000001", "127.1", "127.0.1", "017700000001",
		"127.0.0.1.", "ｌｏｃａｌｈｏｓｔ", "１２７.０.０.１", "rebind.example.com", "rebind.example.com.",
		"public.example@127.0.0.1",
	}
	out := make([]string, len(hosts))
	for i, h := range hosts {
		out[i] = "http://" + h + ":" + port + "/x"
	}
	return out
}

// attackerResolver is DNS under the attacker's control, plus the numeric
// names a C resolver reads as IPv4 addresses.
var attackerResolver = fakeResolver{
	"rebind.example.com":  {"127.0.0.1"},
	"rebind.example.com.": {"127.0.0.1"},
	"2130706433":          {"127.0.0.1"},
	"0177.0.0.1":          {"127.0.0.1"},
	"0x7f.0.0.1":          {"127.0.0.1"},
	"0x7f000001":          {"127.0.0.1"},
	"127.1":               {"127.0.0.1"},
	"127.0.1":             {"127.0.0.1"},
	"017700000001":        {"127.0.0.1"},
	"127.0.0.1.":          {"127.0.0.1"},
	"localhost":           {"127.0.0.1"},
	"a.localhost":         {"127.0.0.1"},
}

// TestWildcardScopeDoesNotReachLocalServer is a plugin holding a wildcard
// scope that fetches the user's own machine directly, in every spelling:
// each fetch is refused and the local server sees nothing.
func TestWildcardScopeDoesNotReachLocalServer(t *testing.T) {
	t.Parallel()
	victim := newCounter(t, nil)
	_, port, _ := strings.Cut(host(victim.Server), ":")
	c := New(Options{Resolver: attackerResolver})
	for _, scope := range []string{permissions.AllURLs, "*://*/*", "http://*/*", "*://*:*/*"} {
		allow := scopes(t, scope)
		for _, raw := range localSpellings(port) {
			_, err := c.DoWith(context.Background(), Request{URL: raw}, allow)
			if !refused(err) {
				t.Errorf("%s: fetch %s: err = %v, want a refusal", scope, raw, err)
			}
		}
	}
	if n := victim.hits.Load(); n != 0 {
		t.Fatalf("the local server saw %d requests", n)
	}
	// A scope naming the address reaches it.
	if _, err := c.DoWith(context.Background(), Request{URL: victim.URL + "/x"}, scopes(t, "http://127.0.0.1:"+port+"/*")); err != nil {
		t.Fatalf("named scope: %v", err)
	}
	if n := victim.hits.Load(); n != 1 {
		t.Fatalf("the local server saw %d requests, want 1", n)
	}
}

// TestSubdomainScopeAtPrivateAddressRefused is a plugin granted
// "*://*.example.com/*" whose DNS (the attacker's) points names under it at
// the user's machine and network: the names match the scope, but the
// dialer refuses their private addresses and the local server sees nothing.
func TestSubdomainScopeAtPrivateAddressRefused(t *testing.T) {
	t.Parallel()
	victim := newCounter(t, nil)
	_, port, _ := strings.Cut(host(victim.Server), ":")
	names := fakeResolver{
		"rebind.example.com": {"127.0.0.1"},
		"lan.example.com":    {"10.0.0.5"},
		"meta.example.com":   {"169.254.169.254"},
		"nat64.example.com":  {"64:ff9b::7f00:1"},
		"both.example.com":   {"::1", "127.0.0.1"},
	}
	c := New(Options{Resolver: names})
	allow := scopes(t, "*://*.example.com/*")
	for name := range names {
		raw := "http://" + name + ":" + port + "/x"
		if _, err := c.DoWith(context.Background(), Request{URL: raw}, allow); !errors.Is(err, ErrPrivateAddress) {
			t.Errorf("fetch %s: err = %v, want ErrPrivateAddress", raw, err)
		}
	}
	if n := victim.hits.Load(); n != 0 {
		t.Fatalf("the local server saw %d requests", n)
	}
}

// TestRedirectFromPublicSiteToLocalRefused is a public site (played by a
// loopback server the transport dials for "public.example") answering a
// wildcard-scoped fetch with a redirect to the user's machine in every
// spelling: each hop is decided again and refused, and the local server
// sees nothing.
func TestRedirectFromPublicSiteToLocalRefused(t *testing.T) {
	t.Parallel()
	victim := newCounter(t, nil)
	_, port, _ := strings.Cut(host(victim.Server), ":")
	public := newCounter(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	})
	dialer := newDialer(attackerResolver)
	tr := newTransport(attackerResolver)
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr == "public.example:80" {
			var d net.Dialer
			return d.DialContext(ctx, network, host(public.Server))
		}
		return dialer.DialContext(ctx, network, addr)
	}
	c := New(Options{Transport: tr})
	t.Cleanup(c.CloseIdleConnections)
	for _, scope := range []string{permissions.AllURLs, "*://*/*"} {
		allow := scopes(t, scope)
		targets := append(localSpellings(port), "http://169.254.169.254/latest/meta-data/", "http://[fe80::1%25lo]:"+port+"/")
		for _, to := range targets {
			_, err := c.DoWith(context.Background(), Request{URL: "http://public.example/r?to=" + url.QueryEscape(to)}, allow)
			if !refused(err) {
				t.Errorf("%s: redirect to %s: err = %v, want a refusal", scope, to, err)
			}
		}
	}
	if n := public.hits.Load(); n == 0 {
		t.Fatal("the public site was never reached: the test proves nothing")
	}
	if n := victim.hits.Load(); n != 0 {
		t.Fatalf("the local server saw %d requests", n)
	}
}

// normalisingServer serves paths the way many servers do: it decodes
// percent-encoded dots, slashes and backslashes, treats backslashes as
// slashes, drops ";params" and resolves dot segments. It records the raw
// request target and whether /admin was served.
type normalisingServer struct {
	*counter
	mu     sync.Mutex
	raw    []string
	admins []string
}

func newNormalisingServer(t *testing.T) *normalisingServer {
	s := &normalisingServer{}
	s.counter = newCounter(t, func(w http.ResponseWriter, r *http.Request) {
		p := r.RequestURI
		if i := strings.IndexByte(p, '?'); i >= 0 {
			p = p[:i]
		}
		for range 2 { // twice, as a proxy and its backend would
			p = strings.NewReplacer("%25", "%", "%2e", ".", "%2E", ".", "%2f", "/", "%2F", "/", "%5c", "/", "%5C", "/", "\\", "/", "%3b", ";", "%3B", ";").Replace(p)
		}
		segs := strings.Split(p, "/")
		for i, seg := range segs {
			segs[i], _, _ = strings.Cut(seg, ";")
		}
		served := path.Clean("/" + strings.Join(segs, "/"))
		s.mu.Lock()
		s.raw = append(s.raw, r.RequestURI)
		if strings.HasPrefix(served, "/admin") {
			s.admins = append(s.admins, r.RequestURI)
		}
		s.mu.Unlock()
		if strings.HasPrefix(served, "/api/redirect") {
			http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
			return
		}
		fmt.Fprint(w, served)
	})
	return s
}

// pathEscapes are paths a plugin holding only /api/* uses to reach /admin
// on a server that normalises paths.
var pathEscapes = []string{
	"/api/../admin/x", "/api/./../admin/x", "/api/%2e%2e/admin/x", "/api/%2E%2E/admin/x",
	"/api/.%2e/admin/x", "/api/%2e./admin/x", "/api/..%2fadmin/x", "/api/..%2Fadmin/x",
	"/api/%2e%2e%2fadmin/x", "/api/..%5cadmin/x", "/api/..%5Cadmin/x", "/api/..\\admin/x",
	"/api\\..\\admin/x", "/api/..;/admin/x", "/api/..;jsessionid=1/admin/x",
	"/api/..%3b/admin/x", "/api/%252e%252e/admin/x", "/api/..%252fadmin/x", "/api/x/../../admin/x",
	"/api//../../admin/x", "/api/%2e%2e", "/api/..",
}

// TestPathScopeEscapeNeverReachesAdmin is a plugin granted only /api/* on a
// local server that normalises paths, trying every dot-segment spelling,
// directly and through a redirect from an allowed /api/ path. The server
// never serves /admin, and what it receives is exactly what was decided.
func TestPathScopeEscapeNeverReachesAdmin(t *testing.T) {
	t.Parallel()
	srv := newNormalisingServer(t)
	base := srv.URL
	allowScope := scopes(t, "http://"+host(srv.Server)+"/api/*")
	var decided []string
	allow := func(u *url.URL) error {
		err := allowScope(u)
		if err == nil {
			decided = append(decided, u.RequestURI())
		}
		return err
	}
	c := New(Options{})
	for _, p := range pathEscapes {
		for _, raw := range []string{base + p, base + "/api/redirect?to=" + url.QueryEscape(p)} {
			_, err := c.DoWith(context.Background(), Request{URL: raw}, allow)
			if !refused(err) {
				t.Errorf("fetch %s: err = %v, want a refusal", raw, err)
			}
		}
	}
	// Dot segments resolve before the decision: a path that stays inside
	// /api/ is fetched in its canonical form.
	for raw, want := range map[string]string{
		base + "/api/x/../y":              "/api/y",
		base + "/api/./a%2eb":             "/api/a.b",
		base + "/api/x?q=../../admin":     "/api/x",
		base + "/api/x?q=a b":             "/api/x",
		base + "/api/redirect?to=%252e/z": "/api/z",
		base + "/api/.;/../admin/x":       "/api/admin/x",
	} {
		resp, err := c.DoWith(context.Background(), Request{URL: raw}, allow)
		if err != nil || string(resp.Body) != want {
			t.Errorf("fetch %s = %q, %v; want %q", raw, resp.Body, err, want)
		}
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.admins) != 0 {
		t.Fatalf("the server served /admin for %q", srv.admins)
	}
	if strings.Join(srv.raw, "\n") != strings.Join(decided, "\n") {
		t.Fatalf("the server received\n%s\nbut the decisions were on\n%s", strings.Join(srv.raw, "\n"), strings.Join(decided, "\n"))
	}
}

func TestCanonicalize(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		"http://example.com/a/../b":      "http://example.com/b",
		"http://example.com/a/%2e%2e/b":  "http://example.com/b",
		"http://example.com/a%2eb":       "http://example.com/a.b",
		"http://example.com/a?b c&d=é":   "http://example.com/a?b%20c&d=%C3%A9",
		"http://example.com/a?x=%2e%2e":  "http://example.com/a?x=%2e%2e",
		"https://EXAMPLE.com./x#frag":    "https://EXAMPLE.com./x#frag",
		"http://[2001:4860::8888]:81/.":  "http://[2001:4860::8888]:81/",
		"http://127.0.0.1:8080/a%20b/..": "http://127.0.0.1:8080/",
	} {
		u, err := ParseURL(raw)
		if err != nil || u.String() != want {
			t.Errorf("ParseURL(%q) = %v, %v; want %s", raw, u, err, want)
		}
	}
	for _, raw := range []string{
		"http://2130706433/", "http://0x7f.1/", "http://127.1/", "http://[fe80::1%25eth0]/", "http://ｌｏｃａｌｈｏｓｔ/",
		"http://u@example.com/", "http://example.com/a%2fb", "http://example.com/a\\b", "http://example.com/..;/x",
		"ftp://example.com/", "http:example.com",
	} {
		if u, err := ParseURL(raw); err == nil {
			t.Errorf("ParseURL(%q) = %v, want an error", raw, u)
		}
	}
}
