package supervise

import "time"

// Default restart policy: VS Code's rule for its extension host.
const (
	DefaultMaxCrashes = 3
	DefaultWindow     = 5 * time.Minute
)

// Policy decides restarts. Zero fields take the defaults.
type Policy struct {
	// MaxCrashes crashes within Window leave the unit stopped (default 3).
	MaxCrashes int
	// Window is how far back crashes count (default 5 min).
	Window time.Duration
	// Backoff is the wait before restarting after the n-th crash in the
	// window (n >= 1); default DefaultBackoff.
	Backoff func(n int) time.Duration
}

// DefaultBackoff restarts the first crash in the window at once, then waits
// 250 ms, 500 ms, 1 s, ... doubling up to 5 s.
func DefaultBackoff(n int) time.Duration {
	const first, ceiling = 250 * time.Millisecond, 5 * time.Second
	if n <= 1 {
		return 0
	}
	d := first
	for i := 2; i < n && d < ceiling; i++ {
		d *= 2
	}
	return min(d, ceiling)
}

func (p Policy) withDefaults() Policy {
	if p.MaxCrashes <= 0 {
		p.MaxCrashes = DefaultMaxCrashes
	}
	if p.Window <= 0 {
		p.Window = DefaultWindow
	}
	if p.Backoff == nil {
		p.Backoff = DefaultBackoff
	}
	return p
}

// crashLog holds the times of a unit's recent crashes.
type crashLog []time.Time

// record adds a crash at now and returns how many fall within window.
func (l *crashLog) record(now time.Time, window time.Duration) int {
	l.prune(now, window)
	*l = append(*l, now)
	return len(*l)
}

// count returns how many crashes fall within window before now.
func (l *crashLog) count(now time.Time, window time.Duration) int {
	l.prune(now, window)
	return len(*l)
}

func (l *crashLog) prune(now time.Time, window time.Duration) {
	i := 0
	for i < len(*l) && now.Sub((*l)[i]) >= window {
		i++
	}
	*l = append((*l)[:0], (*l)[i:]...)
}
