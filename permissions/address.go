package permissions

import (
	"net/netip"
	"strings"
)

// nonPublic4 lists IPv4 ranges that are not globally reachable (IANA IPv4
// Special-Purpose Address Registry), plus multicast and the reserved class
// E. An address in one of them is on the user's machine or network, or
// nowhere: a plugin reaches it only through a pattern naming it exactly.
var nonPublic4 = prefixes(
	"0.0.0.0/8",       // "this network"; Linux connects 0.0.0.0 to the local host
	"10.0.0.0/8",      // private
	"100.64.0.0/10",   // shared address space (carrier-grade NAT)
	"127.0.0.0/8",     // loopback
	"169.254.0.0/16",  // link-local, cloud metadata services live here
	"172.16.0.0/12",   // private
	"192.0.0.0/24",    // IETF protocol assignments
	"192.0.2.0/24",    // documentation
	"192.88.99.0/24",  // deprecated 6to4 relay anycast
	"192.168.0.0/16",  // private
	"198.18.0.0/15",   // benchmarking, often used inside networks
	"198.51.100.0/24", // documentation
	"203.0.113.0/24",  // documentation
	"224.0.0.0/4",     // multicast
	"240.0.0.0/4",     // reserved, and the broadcast address
)

// nonPublic6 lists IPv6 ranges inside 2000::/3 that are not globally
// reachable; everything outside 2000::/3 is refused anyway, except the
// forms that embed an IPv4 address (see embedded4).
var nonPublic6 = prefixes(
	"2001::/23",     // IETF protocol assignments, Teredo among them
	"2001:db8::/32", // documentation
	"3fff::/20",     // documentation
)

var (
	global6 = netip.MustParsePrefix("2000::/3")
	nat64   = netip.MustParsePrefix("64:ff9b::/96") // RFC 6052 well-known prefix
	sixTo4  = netip.MustParsePrefix("2002::/16")    // RFC 3056
)

func prefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// IsPublicAddr reports whether a is a globally reachable unicast address,
// one that is neither on the user's machine nor on their networks. It is
// false for loopback, private, shared (CGNAT), link-local, unique-local,
// site-local, multicast, unspecified, documentation and reserved addresses,
// for any address with a zone, and for IPv6 addresses that carry a
// non-public IPv4 address (v4-mapped ::ffff:0:0/96, NAT64 64:ff9b::/96,
// 6to4 2002::/16). It costs a few prefix comparisons and never allocates.
func IsPublicAddr(a netip.Addr) bool {
	if !a.IsValid() || a.Zone() != "" {
		return false
	}
	if a.Is4In6() {
		a = a.Unmap()
	}
	if a.Is4() {
		for _, p := range nonPublic4 {
			if p.Contains(a) {
				return false
			}
		}
		return true
	}
	if v4, ok := embedded4(a); ok {
		return IsPublicAddr(v4)
	}
	if !global6.Contains(a) {
		// Loopback, unspecified, IPv4-compatible, unique-local, link-local,
		// site-local, multicast and the local-use NAT64 prefix all live
		// outside 2000::/3.
		return false
	}
	for _, p := range nonPublic6 {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// embedded4 returns the IPv4 address a translating IPv6 prefix carries, so
// the decision is made on the address the packets would end up at.
func embedded4(a netip.Addr) (netip.Addr, bool) {
	b := a.As16()
	switch {
	case nat64.Contains(a):
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), true
	case sixTo4.Contains(a):
		return netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), true
	}
	return netip.Addr{}, false
}

// IsLocalName reports whether host is "localhost" or a name under it, in any
// case and with or without a trailing dot. Such names always resolve to the
// local machine (RFC 6761), so they count as non-public.
func IsLocalName(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	return h == "localhost" || strings.HasSuffix(h, ".localhost")
}

// endsInNumber reports whether the last label of the host name h (without a
// trailing dot) is a number in the sense of the WHATWG URL standard: all
// decimal digits, or "0x" followed by hex digits. Browsers and the C
// resolver read such hosts as IPv4 addresses ("2130706433", "0x7f.1",
// "127.1" are all 127.0.0.1), so a name like that must be a canonical
// dotted quad or nothing.
func endsInNumber(h string) bool {
	last := h
	if i := strings.LastIndexByte(h, '.'); i >= 0 {
		last = h[i+1:]
	}
	if allDigits(last) {
		return true
	}
	if len(last) >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X') {
		for i := 2; i < len(last); i++ {
			if !isHex(last[i]) {
				return false
			}
		}
		return true
	}
	return false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
