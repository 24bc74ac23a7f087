package fetch

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeResolver answers from a table, as DNS under an attacker's control
// would.
type fakeResolver map[string][]string

func (r fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	var out []netip.Addr
	for _, s := range r[host] {
		out = append(out, netip.MustParseAddr(s))
	}
	if len(out) == 0 {
		return nil, errors.New("no such host")
	}
	return out, nil
}

// TestHostNameAtPrivateAddressRefused points granted host names at the
// machine itself and at private networks (DNS rebinding): the server on
// 127.0.0.1 must see no request. The same server reached by a pattern
// naming 127.0.0.1 or localhost is fine.
func TestHostNameAtPrivateAddressRefused(t *testing.T) {
	t.Parallel()
	srv := newCounter(t, nil)
	_, port, _ := strings.Cut(host(srv.Server), ":")
	names := fakeResolver{
		"rebind.example.com":  {"127.0.0.1"},
		"mapped.example.com":  {"::ffff:127.0.0.1"},
		"lan.example.com":     {"192.168.1.1"},
		"cgnat.example.com":   {"100.64.0.1"},
		"linklocal.example":   {"169.254.169.254"},
		"v6local.example.com": {"::1"},
		"unspec.example.com":  {"0.0.0.0"},
		"nat64.example.com":   {"64:ff9b::7f00:1"},
		"v4compat.example":    {"::7f00:1"},
		"sitelocal.example":   {"fec0::1"},
		"ula.example.com":     {"fd00::1"},
		"sixto4.example.com":  {"2002:7f00:1::1"},
		"bench.example.com":   {"198.18.0.1"},
		"mixed.example.com":   {"fe80::1", "10.0.0.5"},
	}
	c := New(Options{Resolver: names})
	allowAll := func(*url.URL) error { return nil }
	for name := range names {
		_, err := c.DoWith(context.Background(), Request{URL: "http://" + name + ":" + port + "/"}, allowAll)
		if !errors.Is(err, ErrPrivateAddress) {
			t.Errorf("%s: err = %v, want ErrPrivateAddress", name, err)
		}
	}
	if n := srv.hits.Load(); n != 0 {
		t.Fatalf("the local server saw %d requests", n)
	}
	for _, u := range []string{srv.URL + "/", "http://localhost:" + port + "/"} {
		if _, err := c.DoWith(context.Background(), Request{URL: u}, allowAll); err != nil {
			t.Errorf("%s named explicitly: %v", u, err)
		}
	}
	if n := srv.hits.Load(); n != 2 {
		t.Fatalf("the local server saw %d requests, want 2", n)
	}
}

// TestDialerDialsOnlyDecidedAddresses is the transport asked to connect to
// the local server when no permission check of the fetch allowed that
// address (as when an HTTP client maps "ｌｏｃａｌｈｏｓｔ" to "localhost" after
// the check): the dial is refused and the server sees no connection.
func TestDialerDialsOnlyDecidedAddresses(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var conns atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			c.Close()
		}
	}()
	addr := ln.Addr().String()
	d := newDialer(fakeResolver{})
	ctx, dec := withDecided(context.Background())
	if err := dec.check(func(*url.URL) error { return nil }, &url.URL{Scheme: "http", Host: "public.example"}); err != nil {
		t.Fatal(err)
	}
	for name, ctx := range map[string]context.Context{"another address decided": ctx, "nothing decided": context.Background()} {
		for _, a := range []string{addr, "localhost:" + strings.Split(addr, ":")[1]} {
			c, err := d.DialContext(ctx, "tcp", a)
			if err == nil {
				c.Close()
			}
			if !errors.Is(err, ErrUndecidedAddress) {
				t.Errorf("%s: dial %s: err = %v, want ErrUndecidedAddress", name, a, err)
			}
		}
	}
	time.Sleep(50 * time.Millisecond) // let the server count a connection, if any
	if n := conns.Load(); n != 0 {
		t.Fatalf("the local server saw %d connections", n)
	}
	if err := dec.check(func(*url.URL) error { return nil }, &url.URL{Scheme: "http", Host: addr}); err != nil {
		t.Fatal(err)
	}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		t.Fatalf("decided address: %v", err)
	}
	c.Close()
}
