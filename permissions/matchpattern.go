package permissions

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// errBadMatchPattern is wrapped by every [ParseMatchPattern] error.
var errBadMatchPattern = errors.New("bad match pattern")

// AllURLs is the match pattern that matches every http and https URL.
const AllURLs = "<all_urls>"

// MatchPattern is a Chrome extension match pattern limited to the schemes
// Warden can fetch: "<all_urls>", or <scheme>://<host><path> where
//
//   - scheme is "*" (http or https), "http" or "https";
//   - host is "*" (any host), "*." followed by a name (that domain and all
//     its subdomains), or an exact host: a name, an IPv4 address or a
//     bracketed IPv6 address; it may be followed by ":port" or ":*", and a
//     pattern without a port matches any port, as in Chrome;
//   - path starts with "/" and "*" in it matches any run of characters.
//
// A URL matches when its scheme, lower-cased host and port (the scheme's
// default when absent) match and the pattern's path matches the URL's
// escaped path followed, when the URL has a query, by "?" and the query.
// The fragment is ignored.
//
// Two rules keep a match meaning what it says. First, a wildcard host
// ("<all_urls>", "*", "*.name") never matches a host on the user's machine
// or networks: an IP address that is not public (see [IsPublicAddr]) or a
// localhost name. Only a pattern naming that host exactly reaches it, so
// "*://*/*" does not reach 127.0.0.1 or 169.254.169.254 but
// "http://127.0.0.1:8080/*" does. (Names that resolve to such addresses
// are refused when dialled.) Second, only canonical URLs match: the host
// must pass [CheckURLHost] and the escaped path must be what
// [CanonicalURLPath] returns, so "/api/../admin" or "/api/%2e%2e/admin"
// never match "/api/*"; canonicalise first, then decide, then send exactly
// the URL decided.
//
// Deviations from Chrome, all in the stricter direction: "<all_urls>" and
// "*" only cover http and https (no file, ftp or ws); host names must be
// ASCII (write internationalised names in punycode) made of letters, digits,
// "-" and "_"; IPv4 addresses must be dotted quads; the path is matched as
// for content scripts, not ignored as Chrome does for host permissions, so
// "https://example.com/api/*" does not grant "https://example.com/admin".
// A URL host with a trailing dot is matched without it. "*.localhost" is
// refused: a wildcard never reaches the local machine.
//
// The zero value matches nothing.
type MatchPattern struct {
	raw        string
	all        bool
	scheme     string // "*", "http" or "https"
	anyHost    bool
	subdomains bool
	host       string     // lower case, without "*." or brackets
	ip         netip.Addr // valid when host is an IP address
	port       int        // -1 for any port
	path       string
}

// ParseMatchPattern parses a match pattern. See [MatchPattern] for the
// grammar.
func ParseMatchPattern(s string) (MatchPattern, error) {
	if s == AllURLs {
		return MatchPattern{raw: s, all: true, scheme: "*", anyHost: true, port: -1, path: "/*"}, nil
	}
	bad := func(format string, args ...any) (MatchPattern, error) {
		return MatchPattern{}, fmt.Errorf("parse match pattern %q: %w: %s", s, errBadMatchPattern, fmt.Sprintf(format, args...))
	}
	if len(s) > maxPatternLen {
		return bad("longer than %d bytes", maxPatternLen)
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return bad("want <scheme>://<host><path> or %s", AllURLs)
	}
	switch scheme {
	case "*", "http", "https":
	default:
		return bad("scheme must be *, http or https, not %q", scheme)
	}
	slash := strings.IndexByte(rest, '/')
	if slash < 0 {
		return bad("missing path (add /* to match every path)")
	}
	hostport, path := rest[:slash], rest[slash:]
	for i := 0; i < len(path); i++ {
		if c := path[i]; c <= ' ' || c == 0x7f || c == '#' || c >= 0x80 {
			return bad("path may contain only printable ASCII without spaces or '#' (percent-encode the rest)")
		}
	}
	p := MatchPattern{raw: s, scheme: scheme, port: -1, path: path}

	host, port := hostport, ""
	if strings.HasPrefix(hostport, "[") {
		end := strings.IndexByte(hostport, ']')
		if end < 0 {
			return bad("unterminated IPv6 address")
		}
		host, port = hostport[1:end], hostport[end+1:]
		addr, err := netip.ParseAddr(host)
		if err != nil || !addr.Is6() || addr.Zone() != "" {
			return bad("invalid IPv6 address %q", host)
		}
		p.ip, p.host = addr, addr.String()
		if port != "" && port[0] != ':' {
			return bad("unexpected %q after IPv6 address", port)
		}
	} else if i := strings.IndexByte(hostport, ':'); i >= 0 {
		host, port = hostport[:i], hostport[i:]
	}
	if port != "" {
		port = port[1:]
		if port != "*" {
			n, err := strconv.Atoi(port)
			if err != nil || n < 1 || n > 65535 || port[0] == '0' || port[0] == '+' {
				return bad("port must be a number from 1 to 65535 or *, not %q", port)
			}
			p.port = n
		}
	}
	if p.ip.IsValid() {
		return p, nil
	}
	switch {
	case host == "":
		return bad("missing host")
	case host == "*":
		p.anyHost = true
		return p, nil
	case strings.HasPrefix(host, "*."):
		p.subdomains = true
		host = host[2:]
	}
	if strings.IndexByte(host, '*') >= 0 {
		return bad("a host wildcard must be the whole host or a leading \"*.\"")
	}
	host = strings.ToLower(host)
	if err := checkHostName(host); err != nil {
		return bad("%v", err)
	}
	if p.subdomains && IsLocalName(host) {
		return bad("a wildcard never reaches localhost; name the host exactly, as in http://localhost:8080/*")
	}
	if addr, err := netip.ParseAddr(host); err == nil {
		if p.subdomains {
			return bad("an IP address cannot have subdomains")
		}
		p.ip = addr
	}
	p.host = host
	return p, nil
}

// checkHostName validates an ASCII DNS name or dotted-quad IPv4 address.
func checkHostName(h string) error {
	if h == "" {
		return errors.New("missing host name after \"*.\"")
	}
	if len(h) > 253 {
		return errors.New("host name longer than 253 bytes")
	}
	labels := strings.Split(h, ".")
	for _, l := range labels {
		if l == "" {
			return fmt.Errorf("host %q has an empty label", h)
		}
		if len(l) > 63 {
			return fmt.Errorf("host %q has a label longer than 63 bytes", h)
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return fmt.Errorf("host %q may contain only letters, digits, '-' and '_' (use punycode)", h)
			}
		}
	}
	if endsInNumber(h) {
		if a, err := netip.ParseAddr(h); err != nil || !a.Is4() {
			return fmt.Errorf("host %q is not a dotted-quad IPv4 address", h)
		}
	}
	return nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// String returns the pattern as it was written.
func (p MatchPattern) String() string { return p.raw }

// Match reports whether u is inside the pattern. It does not allocate for
// URLs whose path needs no escaping.
func (p MatchPattern) Match(u *url.URL) bool {
	if p.raw == "" || u == nil {
		return false
	}
	var defPort int
	switch u.Scheme {
	case "http":
		defPort = 80
	case "https":
		defPort = 443
	default:
		return false
	}
	if p.scheme != "*" && p.scheme != u.Scheme {
		return false
	}
	ip, problem := urlHost(u)
	if problem != "" {
		return false
	}
	host := strings.TrimSuffix(u.Hostname(), ".")
	if !p.matchHost(host, ip) {
		return false
	}
	if p.port >= 0 {
		port := defPort
		if ps := u.Port(); ps != "" {
			n, err := strconv.Atoi(ps)
			if err != nil {
				return false
			}
			port = n
		}
		if port != p.port {
			return false
		}
	}
	path := u.EscapedPath()
	if pathProblem(path) != "" {
		return false
	}
	if p.all || p.path == "/*" {
		return true
	}
	if path == "" {
		path = "/"
	}
	sep, query := "", ""
	if u.RawQuery != "" || u.ForceQuery {
		sep, query = "?", u.RawQuery
	}
	return matchStar(p.path, cat3{path, sep, query})
}

// matchHost matches a URL host that passed urlHost; ip is its address when
// it is an IP literal.
func (p MatchPattern) matchHost(host string, ip netip.Addr) bool {
	if p.ip.IsValid() {
		return ip == p.ip
	}
	if !p.anyHost && !p.subdomains {
		return !ip.IsValid() && asciiEqualFold(host, p.host)
	}
	// A wildcard: never a host on the user's machine or networks.
	if isNonPublicHost(host, ip) {
		return false
	}
	if p.anyHost {
		return true
	}
	// Chrome never matches an IP address against "*.name".
	if ip.IsValid() {
		return false
	}
	if asciiEqualFold(host, p.host) {
		return true
	}
	n := len(host) - len(p.host)
	return n >= 2 && host[n-1] == '.' && asciiEqualFold(host[n:], p.host)
}

// cat3 is the concatenation of three strings, read without building it.
type cat3 struct{ a, b, c string }

func (s cat3) len() int { return len(s.a) + len(s.b) + len(s.c) }

func (s cat3) at(i int) byte {
	if i < len(s.a) {
		return s.a[i]
	}
	i -= len(s.a)
	if i < len(s.b) {
		return s.b[i]
	}
	return s.c[i-len(s.b)]
}

// matchStar matches s against p where "*" is any run of bytes.
func matchStar(p string, s cat3) bool {
	n := s.len()
	px, sx := 0, 0
	starP, starS := -1, 0
	for px < len(p) || sx < n {
		if px < len(p) {
			if p[px] == '*' {
				starP, starS = px, sx
				px++
				continue
			}
			if sx < n && s.at(sx) == p[px] {
				px++
				sx++
				continue
			}
		}
		if starP >= 0 && starS < n {
			starS++
			px, sx = starP+1, starS
			continue
		}
		return false
	}
	return true
}

// asciiEqualFold compares s with the lower-case ASCII host h, folding only
// ASCII letters: Unicode folding (the Kelvin sign "K" equals "k" under
// strings.EqualFold) has no place in host names.
func asciiEqualFold(s, h string) bool {
	if len(s) != len(h) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != h[i] {
			return false
		}
	}
	return true
}
