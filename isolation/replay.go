package isolation

import (
	"fmt"
	"sync"
)

// ReplayWindow is how many recently accepted nonces an Opener remembers to
// report exact replays as ErrReplay. Older replays still fail the seq check
// with ErrSeqOrder.
const ReplayWindow = 4096

// replayGuard holds one launch's replay state: the last accepted seq and the
// nonces of the last ReplayWindow accepted envelopes.
type replayGuard struct {
	mu   sync.Mutex
	last uint64
	seen map[[NonceSize]byte]struct{}
	ring [][NonceSize]byte // grows to ReplayWindow, then wraps at next
	next int
}

// accept decides whether an authenticated envelope is fresh and, if so,
// records it. The check and the update are one critical section, so
// concurrent opens of the same launch cannot both accept a seq.
func (g *replayGuard) accept(nonce [NonceSize]byte, seq uint64) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, dup := g.seen[nonce]; dup {
		return fmt.Errorf("%w: seq %d", ErrReplay, seq)
	}
	if seq <= g.last {
		return fmt.Errorf("%w: seq %d after %d", ErrSeqOrder, seq, g.last)
	}
	g.last = seq
	if g.seen == nil {
		g.seen = make(map[[NonceSize]byte]struct{})
	}
	if len(g.ring) < ReplayWindow {
		g.ring = append(g.ring, nonce)
	} else {
		delete(g.seen, g.ring[g.next])
		g.ring[g.next] = nonce
		g.next = (g.next + 1) % ReplayWindow
	}
	g.seen[nonce] = struct{}{}
	return nil
}
