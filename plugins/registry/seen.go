package registry

import (
	"strings"
	"time"
)

// Seen remembers the Updated time of the newest index read from each
// registry, so that a client can refuse an older one ([Client.NotBefore]).
// Entries are keyed by [Client.Identity]: the registry's key and its
// canonical location, so another spelling of the same URL (a trailing
// slash, an upper-case host, a default port, "./" segments) does not start
// from a clean slate. Entries that older versions wrote, keyed by a
// location alone, are still read: they apply to every key at that
// location. Seen is JSON as an object of RFC 3339 times.
type Seen map[string]time.Time

// NotBefore returns the newest time remembered for the registry c reads,
// or the zero time. It costs one URL normalisation per remembered entry.
func (s Seen) NotBefore(c *Client) time.Time {
	id, err := c.Identity()
	if err != nil {
		return time.Time{}
	}
	loc, _ := c.Location()
	newest := s[id]
	for k, t := range s {
		if strings.Contains(k, " ") || !t.After(newest) {
			continue
		}
		// An entry from before identities: a location alone.
		if old, err := NormalizeLocation(k); err == nil && old == loc {
			newest = t
		}
	}
	return newest
}

// Remember records that an index written at updated was read from the
// registry c reads, unless a newer one is remembered. It reports whether
// s changed (and needs saving).
func (s Seen) Remember(c *Client, updated time.Time) bool {
	id, err := c.Identity()
	if err != nil || !updated.After(s.NotBefore(c)) {
		return false
	}
	s[id] = updated
	return true
}
