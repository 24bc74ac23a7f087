package host

import (
	"sync"
	"sync/atomic"
	"time"
)

// bucket is a token bucket: rate tokens per second, at most burst saved up.
// A mutex is cheaper here than a CAS loop over two fields and is held for a
// few nanoseconds.
type bucket struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newBucket(rate float64, burst int) *bucket {
	return &bucket{rate: rate, burst: float64(burst), tokens: float64(burst), last: time.Now()}
}

// take spends one token if there is one.
func (b *bucket) take(now time.Time) bool {
	if b.rate <= 0 {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if d := now.Sub(b.last); d > 0 {
		b.tokens += d.Seconds() * b.rate
		if b.tokens > b.burst {
			b.tokens = b.burst
		}
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// gate bounds the requests of one plugin that are in flight at once.
type gate struct {
	max int64
	n   atomic.Int64
}

// enter reports whether one more request may run; a true result must be
// paired with leave.
func (g *gate) enter() bool {
	if g.max <= 0 {
		return true
	}
	if g.n.Add(1) > g.max {
		g.n.Add(-1)
		return false
	}
	return true
}

func (g *gate) leave() {
	if g.max > 0 {
		g.n.Add(-1)
	}
}
