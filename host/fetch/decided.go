package fetch

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"
	"sync"
)

// ErrUndecidedAddress means the transport was about to connect to a host
// and port that no permission check of this fetch allowed. It cannot happen
// while the URL decided on is the URL sent; it is the dialer's guard in
// case something between the two (an HTTP client mapping host names, say)
// ever rewrites the host.
var ErrUndecidedAddress = errors.New("connection to an address no permission check allowed")

// decidedKey is the context key of a fetch's decided addresses.
type decidedKey struct{}

// decided holds the host:port pairs that passed the allow check during one
// fetch, in the form the transport dials them (lower case).
type decided struct {
	mu    sync.Mutex
	addrs map[string]bool
}

// withDecided returns ctx carrying a new, empty decided set.
func withDecided(ctx context.Context) (context.Context, *decided) {
	d := &decided{addrs: make(map[string]bool, 2)}
	return context.WithValue(ctx, decidedKey{}, d), d
}

// check asks allow about u and, when it allows, records u's address.
func (d *decided) check(allow func(*url.URL) error, u *url.URL) error {
	if err := allow(u); err != nil {
		return err
	}
	d.mu.Lock()
	d.addrs[dialAddr(u)] = true
	d.mu.Unlock()
	return nil
}

// dialAddr is the address net/http's transport dials for u.
func dialAddr(u *url.URL) string {
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port(u))
}

// isDecided reports whether a permission check of the fetch ctx belongs to
// allowed addr. Without a decided set nothing is.
func isDecided(ctx context.Context, addr string) bool {
	d, ok := ctx.Value(decidedKey{}).(*decided)
	if !ok {
		return false
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.addrs[net.JoinHostPort(strings.ToLower(host), port)]
}
