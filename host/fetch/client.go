package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults for zero Options fields.
const (
	DefaultMaxBody      = 4 << 20
	DefaultMaxRequest   = 1 << 20
	DefaultTimeout      = 10 * time.Second
	DefaultMaxRedirects = 5
)

// ErrNoAllow means the fetch was attempted without an Allow function. Fetch
// refuses rather than treating a missing check as "allow everything".
var ErrNoAllow = errors.New("fetch without an allow check")

// Options configures a Client. Zero fields take the defaults.
type Options struct {
	// Allow is asked before the first request and before following every
	// redirect; a non-nil error stops the fetch and is returned wrapped
	// (errors.Is finds the caller's sentinel). Do uses it; DoWith takes its
	// own.
	Allow func(u *url.URL) error
	// MaxBody caps the response body, default 4 MiB; more is ErrTooLarge.
	MaxBody int64
	// MaxRequest caps the request body, default 1 MiB; more is ErrTooLarge.
	MaxRequest int64
	// Timeout bounds the whole fetch including redirects and reading the
	// body, default 10 s.
	Timeout time.Duration
	// MaxRedirects is how many redirects are followed, default 5. A
	// negative value follows none: the 3xx response itself is returned.
	MaxRedirects int
	// Transport sends the requests. The default is a private http.Transport
	// that never uses the environment's proxy and connects to a host name
	// only at its public addresses (see ErrPrivateAddress).
	Transport http.RoundTripper
	// Resolver resolves host names for the default transport; nil means
	// net.DefaultResolver.
	Resolver Resolver
}

// Client performs fetches. It is safe for concurrent use, and one Client (and
// so one connection pool) can serve every plugin through DoWith.
type Client struct {
	opts Options
}

// New returns a Client with opts, filling in defaults. The default transport
// is created here, so Clients made by separate New calls share no
// connections.
func New(opts Options) *Client {
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.MaxRequest <= 0 {
		opts.MaxRequest = DefaultMaxRequest
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxRedirects == 0 {
		opts.MaxRedirects = DefaultMaxRedirects
	}
	if opts.Transport == nil {
		opts.Transport = newTransport(opts.Resolver)
	}
	return &Client{opts: opts}
}

func newTransport(r Resolver) *http.Transport {
	return &http.Transport{
		Proxy:                  nil, // never HTTP_PROXY and friends: the core decides where requests go
		DialContext:            newDialer(r).DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           64,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        60 * time.Second,
		TLSHandshakeTimeout:    10 * time.Second,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
}

// CloseIdleConnections closes idle connections of the Client's transport,
// if it supports that.
func (c *Client) CloseIdleConnections() {
	if t, ok := c.opts.Transport.(interface{ CloseIdleConnections() }); ok {
		t.CloseIdleConnections()
	}
}

// Do performs req, checking every URL with Options.Allow.
func (c *Client) Do(ctx context.Context, req Request) (Response, error) {
	return c.DoWith(ctx, req, c.opts.Allow)
}

// DoWith performs req, checking the first URL and every redirect target with
// allow before anything is sent there. Each URL is checked and sent in its
// canonical form (see Canonicalize), and the transport connects only to
// addresses allow passed. The whole fetch, body included, is
// bounded by Options.Timeout and ctx; at most Options.MaxBody bytes of
// response are held in memory.
func (c *Client) DoWith(ctx context.Context, req Request, allow func(*url.URL) error) (Response, error) {
	if allow == nil {
		return Response{}, ErrNoAllow
	}
	u, err := req.Validate()
	if err != nil {
		return Response{}, fmt.Errorf("fetch: %w", err)
	}
	if int64(len(req.Body)) > c.opts.MaxRequest {
		return Response{}, fmt.Errorf("fetch: request body of %d bytes, at most %d: %w", len(req.Body), c.opts.MaxRequest, ErrTooLarge)
	}
	ctx, decided := withDecided(ctx)
	if err := decided.check(allow, u); err != nil {
		return Response{}, fmt.Errorf("fetch %s: %w", u.Redacted(), err)
	}

	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()

	var body io.Reader
	if len(req.Body) > 0 {
		// A bytes.Reader lets net/http replay the body on 307/308.
		body = bytes.NewReader(req.Body)
	}
	hreq, err := http.NewRequestWithContext(ctx, req.Method, u.String(), body)
	if err != nil {
		return Response{}, fmt.Errorf("fetch: %w: %w", ErrBadRequest, err)
	}
	// Send the decided URL itself rather than a re-parse of its string: the
	// request line is u.RequestURI(), the very path and query allow saw.
	hreq.URL, hreq.Host = u, u.Host
	for name, value := range req.Headers {
		hreq.Header[canonical(name)] = []string{value}
	}
	if hreq.Header.Get("User-Agent") == "" {
		hreq.Header.Set("User-Agent", "Warden")
	}

	hc := &http.Client{
		Transport:     c.opts.Transport,
		CheckRedirect: c.checkRedirect(func(u *url.URL) error { return decided.check(allow, u) }),
		// No Jar: cookies set by one response never flow into another
		// request. No Timeout: ctx covers the whole fetch.
	}
	resp, err := hc.Do(hreq)
	if err != nil {
		return Response{}, c.wrap(parent, ctx, err)
	}
	defer resp.Body.Close()

	out := Response{
		Status:  resp.StatusCode,
		URL:     resp.Request.URL.String(),
		Headers: make(map[string]string, len(resp.Header)),
	}
	for name, values := range resp.Header {
		out.Headers[name] = strings.Join(values, ", ")
	}
	if resp.ContentLength > c.opts.MaxBody {
		return Response{}, fmt.Errorf("fetch: response body of %d bytes, at most %d: %w", resp.ContentLength, c.opts.MaxBody, ErrTooLarge)
	}
	out.Body, err = readBody(resp, c.opts.MaxBody)
	if err != nil {
		return Response{}, c.wrap(parent, ctx, err)
	}
	return out, nil
}

// checkRedirect runs before net/http sends a redirected request, so a refused
// target never sees a connection.
func (c *Client) checkRedirect(allow func(*url.URL) error) func(*http.Request, []*http.Request) error {
	return func(r *http.Request, via []*http.Request) error {
		if c.opts.MaxRedirects < 0 {
			return http.ErrUseLastResponse
		}
		if len(via) > c.opts.MaxRedirects {
			return fmt.Errorf("after %d: %w", c.opts.MaxRedirects, ErrTooManyRedirects)
		}
		// net/http resolved the Location against the previous URL; put it in
		// the canonical form before deciding, and send that form.
		if err := Canonicalize(r.URL); err != nil {
			return fmt.Errorf("redirect: %w", err)
		}
		r.Host = r.URL.Host
		if err := allow(r.URL); err != nil {
			return fmt.Errorf("redirect to %s: %w", r.URL.Redacted(), err)
		}
		// net/http keeps credentials for the same host on any port and for
		// subdomains; Warden keeps them only within the first URL's origin.
		first := via[0]
		if !sameOrigin(r.URL, first.URL) {
			r.Header.Del("Authorization")
			r.Header.Del("Www-Authenticate")
		}
		// Nor does it tell the next hop where the plugin came from.
		if first.Header.Get("Referer") == "" {
			r.Header.Del("Referer")
		}
		return nil
	}
}

func sameOrigin(a, b *url.URL) bool {
	return a.Scheme == b.Scheme && strings.EqualFold(a.Hostname(), b.Hostname()) && port(a) == port(b)
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

// wrap turns a failure into the package's error, marking our own deadline
// as ErrTimeout (the caller's cancellation stays as it is).
func (c *Client) wrap(parent, ctx context.Context, err error) error {
	if parent.Err() == nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("fetch: %w after %v: %w", ErrTimeout, c.opts.Timeout, context.DeadlineExceeded)
	}
	if perr := parent.Err(); perr != nil && !errors.Is(err, perr) {
		return fmt.Errorf("fetch: %w: %w", perr, err)
	}
	return fmt.Errorf("fetch: %w", err)
}

// readBody reads at most max bytes of resp's body, failing with ErrTooLarge
// if there is more.
func readBody(resp *http.Response, max int64) ([]byte, error) {
	size := int64(512)
	if resp.ContentLength > 0 {
		size = resp.ContentLength // already known to be <= max
	}
	buf := bytes.NewBuffer(make([]byte, 0, size+1))
	n, err := buf.ReadFrom(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if n > max {
		return nil, fmt.Errorf("response body over %d bytes: %w", max, ErrTooLarge)
	}
	return buf.Bytes(), nil
}

func canonical(name string) string { return http.CanonicalHeaderKey(name) }
