package window

import (
	"errors"
	"sync/atomic"
)

// maxWaitingReaders bounds the goroutines one connection keeps waiting
// for their next turn to read (see readers).
const maxWaitingReaders = 8

// readers passes the reading of one connection from goroutine to goroutine
// (leader/follower): the goroutine that read an invoke runs it and hands
// reading on, so the request starts at once instead of waiting for another
// goroutine to be scheduled.
//
// A goroutine that has run its request waits for a later turn instead of
// ending, and a handover goes to a waiting goroutine before a new one is
// started. A new goroutine starts with a small stack that a backend call
// grows several times over, and growing copies it: with fresh goroutines
// that copying was about a tenth of the core's CPU time per invoke. At most
// maxWaitingReaders wait; when the link ends they all return.
type readers struct {
	s    *link
	next func() (run func(), err error)
	turn chan struct{} // a send hands reading to a waiting goroutine
	idle atomic.Int32  // goroutines waiting on turn
}

// startReading starts the first reader of conn's frames, read with next.
func (s *link) startReading(next func() (func(), error)) {
	r := &readers{s: s, next: next, turn: make(chan struct{})}
	s.wg.Go(r.read)
}

// read reads frames until one must be run (an admitted invoke: it hands
// reading on, runs it, then waits for another turn) or the protocol ends
// (it reports to done).
func (r *readers) read() {
	for {
		run, err := r.next()
		if errors.Is(err, errDirectClosed) {
			return
		}
		if err != nil {
			r.s.done <- err
			return
		}
		if run == nil {
			continue
		}
		select {
		case r.turn <- struct{}{}:
		default:
			r.s.wg.Go(r.read)
		}
		run()
		if !r.wait() {
			return
		}
	}
}

// wait blocks until reading is handed to this goroutine. It reports false,
// at once, when enough goroutines wait already or the link has ended.
func (r *readers) wait() bool {
	if r.idle.Add(1) > maxWaitingReaders {
		r.idle.Add(-1)
		return false
	}
	defer r.idle.Add(-1)
	select {
	case <-r.turn:
		return true
	case <-r.s.quit:
		return false
	}
}
