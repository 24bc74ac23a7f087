package permissions

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

// CheckURLHost checks that u's host is one Warden can decide on and dial
// exactly as written: an ASCII host name, a dotted-quad IPv4 address or a
// bracketed IPv6 address without a zone. Anything else (internationalised
// names, which HTTP clients silently map to other ASCII names; numbers that
// C resolvers and browsers read as IPv4 addresses, such as "2130706433",
// "0x7f.1" or "0177.0.0.1"; zone ids) wraps [ErrBadURL] with what to write
// instead. [MatchPattern.Match] applies the same rule and matches nothing
// else. It allocates only when it fails.
func CheckURLHost(u *url.URL) error {
	if u == nil {
		return fmt.Errorf("%w: no url", ErrBadURL)
	}
	if _, problem := urlHost(u); problem != "" {
		return fmt.Errorf("%w: host %.80q: %s", ErrBadURL, u.Hostname(), problem)
	}
	return nil
}

// urlHost returns the address of u's host when it is an IP literal (the
// zero Addr for a name) and, when the host is not acceptable, why.
func urlHost(u *url.URL) (netip.Addr, string) {
	host := u.Hostname()
	if strings.HasPrefix(u.Host, "[") {
		a, err := netip.ParseAddr(host)
		switch {
		case err != nil:
			return netip.Addr{}, "not an IPv6 address"
		case a.Zone() != "":
			return netip.Addr{}, "an IPv6 zone id names a local network interface; write the address without it"
		case !a.Is6():
			return netip.Addr{}, "an IPv4 address is written without brackets"
		}
		return a, ""
	}
	dot := strings.HasSuffix(host, ".")
	host = strings.TrimSuffix(host, ".")
	if host == "" {
		return netip.Addr{}, "missing host"
	}
	if len(host) > 253 {
		return netip.Addr{}, "host name longer than 253 bytes"
	}
	start := 0
	for i := 0; i <= len(host); i++ {
		if i < len(host) && host[i] != '.' {
			c := host[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				if c >= 0x80 {
					return netip.Addr{}, "not ASCII: write an internationalised name in punycode (xn--...)"
				}
				return netip.Addr{}, "a host name holds only letters, digits, '-', '_' and dots"
			}
			continue
		}
		switch n := i - start; {
		case n == 0:
			return netip.Addr{}, "empty label in host name"
		case n > 63:
			return netip.Addr{}, "host name label longer than 63 bytes"
		}
		start = i + 1
	}
	if endsInNumber(host) {
		a, err := netip.ParseAddr(host)
		if err != nil || !a.Is4() {
			return netip.Addr{}, "a host ending in a number is read as an IPv4 address; write it as four decimal numbers without leading zeros (127.0.0.1)"
		}
		if dot {
			return netip.Addr{}, "an IPv4 address is written without a trailing dot"
		}
		return a, ""
	}
	return netip.Addr{}, ""
}

// isNonPublicHost reports whether a URL host (as returned by urlHost) is on
// the user's machine or networks without any DNS lookup: a non-public IP
// literal or a localhost name. Names that resolve to such addresses are
// refused when they are dialled, not here.
func isNonPublicHost(host string, ip netip.Addr) bool {
	if ip.IsValid() {
		return !IsPublicAddr(ip)
	}
	return IsLocalName(host)
}
