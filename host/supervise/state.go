package supervise

import "time"

// State is a unit's supervision state at one moment.
type State struct {
	// Running is true while a child is up; PID is its process id.
	Running bool
	PID     int
	// Starts counts the unit's starts since it was added.
	Starts int
	// Crashes counts crashes within the policy's window.
	Crashes int
	// Stopped is true once the unit will not be restarted; Reason says why
	// ("stopped", "closed", "crashed 3 times in 5m0s; last: signal: killed",
	// "start: ...") and Err is the matching error (ErrShutdown, ErrClosed,
	// ErrTooManyCrashes or the start error).
	Stopped bool
	Reason  string
	Err     error
	// Since is when the unit entered this state.
	Since time.Time
}

// State returns the state of unit name; the zero State for a name never
// added.
func (s *Supervisor) State(name string) State {
	s.mu.Lock()
	defer s.mu.Unlock()
	un := s.units[name]
	if un == nil {
		return State{}
	}
	return s.snapshot(un)
}

// Watch returns a channel that receives unit name's state, first the
// current one (if the unit exists), then each change. It holds the latest
// 16 states: a slow reader loses older ones, never the latest. The channel
// is closed by Unwatch or Close. Watching may start before Add.
func (s *Supervisor) Watch(name string) <-chan State {
	ch := make(chan State, 16)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		close(ch)
		return ch
	}
	s.watches[name] = append(s.watches[name], ch)
	if un := s.units[name]; un != nil {
		send(ch, s.snapshot(un))
	}
	return ch
}

// Unwatch stops and closes a channel returned by Watch(name).
func (s *Supervisor) Unwatch(name string, ch <-chan State) {
	s.mu.Lock()
	defer s.mu.Unlock()
	chs := s.watches[name]
	for i, c := range chs {
		if c == ch {
			close(c)
			s.watches[name] = append(chs[:i], chs[i+1:]...)
			return
		}
	}
}

// snapshot returns un's state with the crash count as of now. s.mu is held.
func (s *Supervisor) snapshot(un *unit) State {
	st := un.state
	st.Crashes = un.crashes.count(s.now(), s.policy.Window)
	return st
}

// changed stamps un's new state and tells the watchers, unless un has been
// replaced by a later Add. s.mu is held.
func (s *Supervisor) changed(un *unit) {
	un.state.Since = s.now()
	if s.units[un.Name] != un {
		return
	}
	st := s.snapshot(un)
	for _, ch := range s.watches[un.Name] {
		send(ch, st)
	}
}

// setStopped records that un will not be restarted. s.mu is held.
func (s *Supervisor) setStopped(un *unit, reason string, err error) {
	un.child = nil
	un.state.Running, un.state.PID = false, 0
	un.state.Stopped, un.state.Reason, un.state.Err = true, reason, err
	s.changed(un)
}

// send delivers st without blocking, dropping the oldest queued state when
// the channel is full. Only one goroutine sends at a time (s.mu is held).
func send(ch chan State, st State) {
	for {
		select {
		case ch <- st:
			return
		default:
		}
		select {
		case <-ch:
		default:
		}
	}
}
