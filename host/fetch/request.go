// Package fetch performs HTTP requests on behalf of plugins, after the
// permission decision allowed them.
//
// The core, not the plugin, owns the connection, so this package must not
// widen what the decision allowed: only http and https, no credentials in
// URLs, no headers that would let a plugin reshape the connection, no
// environment proxy, no cookie jar, bounded bodies and time, and every
// redirect hop checked with the same Allow function before any byte is sent
// to it. Each URL is put in one canonical form (see Canonicalize) before it
// is checked, and that very URL is what goes on the wire, so a server
// cannot read the request as a path or host the check never saw.
package fetch

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/wardenhq/warden/permissions"
)

// Errors callers branch on.
var (
	// ErrTooLarge means a request or response body exceeded its cap.
	ErrTooLarge = errors.New("body too large")
	// ErrScheme means the URL (or a redirect target) is not http or https.
	ErrScheme = errors.New("only http and https URLs are allowed")
	// ErrTooManyRedirects means the redirect chain exceeded MaxRedirects.
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrBadRequest means the request is malformed or uses something this
	// package refuses (method, header, userinfo, oversized URL).
	ErrBadRequest = errors.New("bad fetch request")
	// ErrTimeout means Options.Timeout elapsed; errors.Is also matches
	// context.DeadlineExceeded.
	ErrTimeout = errors.New("fetch timed out")
)

// Bounds on a request's shape.
const (
	MaxURL         = 8 << 10 // bytes
	MaxHeaders     = 64
	MaxHeaderName  = 256
	MaxHeaderValue = 8 << 10
)

// Request is a plugin's HTTP request as it arrives in invoke arguments.
type Request struct {
	Method  string            `json:"method,omitempty"` // default GET; only GET HEAD POST PUT PATCH DELETE OPTIONS
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    []byte            `json:"body,omitempty"` // base64 in JSON
}

// Response is what the plugin gets back.
type Response struct {
	Status  int               `json:"status"`
	URL     string            `json:"url"` // final URL after redirects
	Headers map[string]string `json:"headers"`
	Body    []byte            `json:"body"`
}

var methods = map[string]bool{
	"GET": true, "HEAD": true, "POST": true, "PUT": true,
	"PATCH": true, "DELETE": true, "OPTIONS": true,
}

// forbiddenHeaders are request headers a plugin may not set. They control
// the connection or framing (which the transport owns), would route the
// request elsewhere, or carry ambient browser state Warden does not have.
//
// Authorization is allowed on purpose: a plugin talking to an API it was
// granted needs its own credentials, and Go's client drops Authorization when
// a redirect leaves the original host. Cookie is refused: Warden keeps no
// cookie jar, and refusing it keeps the request free of browser-like
// session state, as in the Fetch standard's forbidden list.
var forbiddenHeaders = map[string]bool{
	"Host":              true,
	"Connection":        true,
	"Keep-Alive":        true,
	"Transfer-Encoding": true,
	"Content-Length":    true,
	"Te":                true,
	"Trailer":           true,
	"Upgrade":           true,
	"Expect":            true,
	"Accept-Encoding":   true, // the transport negotiates and decodes gzip itself
	"Cookie":            true,
	"Cookie2":           true,
}

// Validate checks the request's shape without any network access and
// normalises Method (upper case, GET when empty). It returns the parsed URL
// in canonical form (see [Canonicalize]).
// It does not apply the body cap (that depends on Options) nor ask Allow.
func (r *Request) Validate() (*url.URL, error) {
	if r.Method == "" {
		r.Method = "GET"
	}
	m := strings.ToUpper(r.Method)
	if !methods[m] {
		return nil, fmt.Errorf("method %.32q: %w", r.Method, ErrBadRequest)
	}
	r.Method = m
	u, err := ParseURL(r.URL)
	if err != nil {
		return nil, err
	}
	if len(r.Headers) > MaxHeaders {
		return nil, fmt.Errorf("%d headers, at most %d: %w", len(r.Headers), MaxHeaders, ErrBadRequest)
	}
	for name, value := range r.Headers {
		if err := checkHeader(name, value); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// ParseURL parses raw as a URL a plugin may fetch and returns it in the
// canonical form that is both decided on and sent (see [Canonicalize]).
// Errors wrap ErrScheme or ErrBadRequest and say what to change.
func ParseURL(raw string) (*url.URL, error) {
	if len(raw) > MaxURL {
		return nil, fmt.Errorf("url of %d bytes, at most %d: %w", len(raw), MaxURL, ErrBadRequest)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("parse url: %w: %w", ErrBadRequest, err)
	}
	if err := Canonicalize(u); err != nil {
		return nil, err
	}
	return u, nil
}

// Canonicalize checks that u is an absolute http or https URL with a host
// and no userinfo, and rewrites it in place into the one form Warden both
// decides on and puts on the wire: dot segments resolved (RFC 3986), "%2e"
// decoded, and query bytes that cannot appear in a request line
// percent-encoded. Hosts and paths that a resolver, HTTP client or server
// could read as something else (see permissions.CheckURLHost and
// permissions.CanonicalURLPath) are refused with ErrBadRequest rather than
// guessed at. Run it before the permission check, then send u itself: the
// request line is u.RequestURI(), the very path and query the check saw.
func Canonicalize(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("scheme %.32q: %w", u.Scheme, ErrScheme)
	}
	if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("url without host: %w", ErrBadRequest)
	}
	if u.User != nil {
		return fmt.Errorf("credentials in url (put them in an Authorization header): %w", ErrBadRequest)
	}
	if err := permissions.CheckURLHost(u); err != nil {
		return fmt.Errorf("%w: %w", ErrBadRequest, err)
	}
	escaped := u.EscapedPath()
	p, err := permissions.CanonicalURLPath(escaped)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadRequest, err)
	}
	if p != escaped {
		path, err := url.PathUnescape(p)
		if err != nil {
			return fmt.Errorf("%w: path %.80q: %w", ErrBadRequest, p, err)
		}
		u.Path, u.RawPath = path, p
		if got := u.EscapedPath(); got != p {
			return fmt.Errorf("%w: path %.80q would be sent as %.80q", ErrBadRequest, p, got)
		}
	}
	u.RawQuery = canonicalQuery(u.RawQuery)
	return nil
}

// canonicalQuery percent-encodes the bytes of a raw query that may not
// appear in a request line (spaces, controls, non-ASCII and the characters
// RFC 3986 excludes), which net/http would otherwise send as they are.
func canonicalQuery(q string) string {
	n := 0
	for i := 0; i < len(q); i++ {
		if !queryByte(q[i]) {
			n++
		}
	}
	if n == 0 {
		return q
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(q)+2*n)
	for i := 0; i < len(q); i++ {
		c := q[i]
		if queryByte(c) {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	return string(b)
}

// queryByte reports whether c may appear unescaped in a query (RFC 3986
// section 3.4, plus '%' since escapes are kept as written).
func queryByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@/?%", c) >= 0
}

func checkHeader(name, value string) error {
	if name == "" || len(name) > MaxHeaderName || !isToken(name) {
		return fmt.Errorf("header name %.64q: %w", name, ErrBadRequest)
	}
	if len(value) > MaxHeaderValue {
		return fmt.Errorf("header %s: value of %d bytes: %w", name, len(value), ErrBadRequest)
	}
	for i := 0; i < len(value); i++ {
		// CR, LF and NUL would split or truncate the header; other
		// controls except tab are invalid field content (RFC 9110 5.5).
		if c := value[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return fmt.Errorf("header %s: control character in value: %w", name, ErrBadRequest)
		}
	}
	canon := canonical(name)
	if forbiddenHeaders[canon] || strings.HasPrefix(canon, "Proxy-") {
		return fmt.Errorf("header %s may not be set: %w", canon, ErrBadRequest)
	}
	return nil
}

// isToken reports whether s is an RFC 9110 token, the grammar of header names.
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}
