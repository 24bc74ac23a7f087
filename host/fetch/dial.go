package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/wardenhq/warden/permissions"
)

// ErrPrivateAddress reports a host name that resolved only to addresses a
// plugin may not reach through a name: any address that is not public in
// the sense of permissions.IsPublicAddr (loopback, private, link-local,
// unique-local, shared (CGNAT), unspecified, multicast, NAT64 or 6to4 forms
// of those, and so on). Without this check a granted
// "https://api.example.com/*" could be pointed by its DNS at 127.0.0.1 or a
// router (DNS rebinding), and the core would fetch from the user's own
// machine or network on the plugin's behalf. A plugin that is meant to
// reach such an address is granted a pattern naming it (an IP literal or
// "localhost"), which this check lets through.
var ErrPrivateAddress = errors.New("host resolves to a private address")

// Resolver looks up a host name's addresses; *net.Resolver implements it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// publicDialer dials only addresses the fetch's permission checks allowed
// (see ErrUndecidedAddress), and a host name only at its public addresses,
// resolving it itself and connecting to the address it checked, so a
// second lookup cannot swap in another one. IP literals and localhost names
// are dialed as they are: wildcard scopes never allow the non-public ones,
// so a check that allowed one named it exactly.
type publicDialer struct {
	dialer   *net.Dialer
	resolver Resolver
}

func (d *publicDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if !isDecided(ctx, addr) {
		return nil, fmt.Errorf("dial %s: %w", addr, ErrUndecidedAddress)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if _, err := netip.ParseAddr(host); err == nil || permissions.IsLocalName(host) {
		return d.dialer.DialContext(ctx, network, addr)
	}
	ips, err := d.resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, err
	}
	var refused []string
	var lastErr error
	for _, ip := range ips {
		ip = ip.Unmap()
		if !permissions.IsPublicAddr(ip) {
			refused = append(refused, ip.String())
			continue
		}
		c, err := d.dialer.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return c, nil
		}
		lastErr = err
	}
	if lastErr != nil {
		return nil, lastErr
	}
	return nil, fmt.Errorf("%w: %s resolves to %s; grant a pattern naming the address itself to reach it", ErrPrivateAddress, host, strings.Join(refused, ", "))
}

// newDialer is the default transport's dialer.
func newDialer(r Resolver) *publicDialer {
	if r == nil {
		r = net.DefaultResolver
	}
	return &publicDialer{dialer: &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}, resolver: r}
}
