package isolation

import (
	"fmt"
	"sync"
)

// ReplayWindow is how many recent seq numbers an Opener remembers the
// nonce of, to report an exact replay as ErrReplay. Older replays still
// fail the seq check with ErrSeqOrder.
const ReplayWindow = 4096

// replayGuard holds one launch's replay state: the last accepted seq and,
// for the last ReplayWindow seq numbers, the nonce accepted with each.
//
// Seq is strictly increasing, so a fresh envelope never collides with a
// remembered one: the accept path is a compare and a store, and the slots
// are looked at only to name a rejection. A replayed envelope carries the
// same nonce and, being authenticated, the same seq, so it is found in
// slot seq%ReplayWindow unless that slot was reused by a seq at least
// ReplayWindow later.
type replayGuard struct {
	mu    sync.Mutex
	last  uint64
	slots [ReplayWindow]replaySlot
}

type replaySlot struct {
	seq   uint64
	nonce [NonceSize]byte
}

// accept decides whether an authenticated envelope is fresh and, if so,
// records it. The check and the update are one critical section, so
// concurrent opens of the same launch cannot both accept a seq.
func (g *replayGuard) accept(nonce [NonceSize]byte, seq uint64) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	s := &g.slots[seq%ReplayWindow]
	if seq <= g.last {
		if s.seq == seq && s.nonce == nonce {
			return fmt.Errorf("%w: seq %d", ErrReplay, seq)
		}
		return fmt.Errorf("%w: seq %d after %d", ErrSeqOrder, seq, g.last)
	}
	g.last = seq
	*s = replaySlot{seq: seq, nonce: nonce}
	return nil
}
