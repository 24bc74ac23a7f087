package supervise

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/wardenhq/warden/host/ipc"
)

// Unit is one supervised thing: one plugin's UI.
type Unit struct {
	// Name identifies the unit in the supervisor and in logs.
	Name string
	// Start (re)starts the unit and returns its child, made by [Spawn]. Its
	// ctx lives as long as the unit: it is cancelled when the unit is
	// stopped, not when Start returns.
	Start func(ctx context.Context) (*Child, error)
	// Serve runs the protocol with c until the run ends and says how: nil
	// or ErrShutdown for a deliberate stop, ErrClosed when the user closed
	// the window, anything else for a crash. It must return once c.Conn is
	// closed or ctx is done; both happen when the child exits.
	Serve func(ctx context.Context, c *Child) error
	// OnCrash, when set, is told of each crash after the supervisor has
	// decided whether to restart (Crash.Stopped). It runs on the unit's
	// own goroutine, outside the supervisor's lock, before any restart:
	// it should return quickly.
	OnCrash func(Crash)
}

// Crash is one crash of a unit, as Unit.OnCrash is told of it.
type Crash struct {
	At time.Time
	// Count is how many crashes fall within the policy's window, this one
	// included.
	Count int
	// Cause is the child's exit status or the error that ended the run
	// ("signal: killed", "start: ...").
	Cause string
	// Stopped is true when this crash left the unit stopped for good.
	Stopped bool
}

// Supervisor runs units, restarting the ones that crash. It is safe for
// concurrent use. Each running unit costs two goroutines besides its child's.
type Supervisor struct {
	policy Policy
	log    *slog.Logger
	now    func() time.Time // the crash window's clock; tests replace it
	// exitGrace is how long a child may take to exit by itself after
	// Serve ended the run on purpose, before it is killed.
	exitGrace time.Duration
	// crashGrace is how long a child may take to exit by itself after
	// Serve reported a crash, before it is killed.
	crashGrace time.Duration
	// drainGrace is how long Serve may take to read what a child wrote
	// before it exited, before its connection is closed under it.
	drainGrace time.Duration

	mu      sync.Mutex
	closed  bool
	units   map[string]*unit
	watches map[string][]chan State
}

// unit is the supervisor's record of one added Unit.
type unit struct {
	Unit
	ctx    context.Context // cancelled by Stop and Close
	cancel context.CancelFunc
	done   chan struct{} // closed when the unit is stopped for good

	// Guarded by Supervisor.mu.
	child    *Child
	state    State
	crashes  crashLog
	starting bool // the first start is under way
}

// New returns a supervisor with policy p (zero fields take the defaults)
// logging to log (nil discards).
func New(p Policy, log *slog.Logger) *Supervisor {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Supervisor{
		policy:     p.withDefaults(),
		log:        log,
		now:        time.Now,
		exitGrace:  time.Second,
		crashGrace: 200 * time.Millisecond,
		drainGrace: 2 * time.Second,
		units:      map[string]*unit{},
		watches:    map[string][]chan State{},
	}
}

// Add starts u and supervises it. It returns once the first Start returned:
// its error is Add's, and the unit is then left stopped with that reason.
// ctx bounds that first start only. Adding a name whose unit is running or
// restarting is ErrRunning; a stopped one is replaced, with fresh counters.
func (s *Supervisor) Add(ctx context.Context, u Unit) error {
	if u.Name == "" || u.Start == nil || u.Serve == nil {
		return errors.New("add unit: name, start and serve are required")
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return fmt.Errorf("add %s: %w", u.Name, ErrSupervisorClosed)
	}
	if old := s.units[u.Name]; old != nil && !old.state.Stopped {
		s.mu.Unlock()
		return fmt.Errorf("add %s: %w", u.Name, ErrRunning)
	}
	un := &unit{Unit: u, done: make(chan struct{}), starting: true}
	un.ctx, un.cancel = context.WithCancel(context.WithoutCancel(ctx))
	un.state.Since = s.now()
	s.units[u.Name] = un
	s.mu.Unlock()

	// Add's ctx may abort the first start, which then stops the unit, but
	// must not reach a unit whose first child is up.
	stopAbort := context.AfterFunc(ctx, func() {
		s.mu.Lock()
		if un.starting {
			un.cancel()
		}
		s.mu.Unlock()
	})
	c, err := s.start(un, ctx)
	stopAbort()
	if err != nil {
		un.cancel()
		s.mu.Lock()
		s.setStopped(un, fmt.Sprintf("start: %v", err), err)
		s.mu.Unlock()
		close(un.done)
		return fmt.Errorf("add %s: %w", u.Name, err)
	}
	go s.loop(un, c)
	return nil
}

// Stop stops the unit name without restarting it: it asks the child to shut
// down (a TypeShutdown frame and SIGTERM), kills it if it has not exited
// when ctx is done or after 3 s, and waits for the unit to settle. Stopping
// a stopped unit does nothing.
func (s *Supervisor) Stop(ctx context.Context, name string) error {
	s.mu.Lock()
	un := s.units[name]
	if un == nil {
		s.mu.Unlock()
		return fmt.Errorf("stop %s: %w", name, ErrUnknownUnit)
	}
	un.cancel() // under mu: either the loop sees it or we see its child
	c := un.child
	s.mu.Unlock()
	var err error
	if c != nil {
		c.Conn.Send(ipc.Frame{Type: ipc.TypeShutdown}) // best effort: SIGTERM follows anyway
		// ctx bounds the graceful part: when it ends the group is killed,
		// and Stop returns once the child is gone.
		if err = c.Stop(ctx); err != nil {
			err = fmt.Errorf("stop %s: %w", name, err)
		}
		select {
		case <-un.done:
		case <-time.After(stopGrace):
			err = errors.Join(err, fmt.Errorf("stop %s: supervision loop did not end", name))
		}
		return err
	}
	select {
	case <-un.done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("stop %s: %w", name, ctx.Err())
	}
}

// Wait waits until the unit name is stopped for good (not while it
// restarts) and returns its final state.
func (s *Supervisor) Wait(ctx context.Context, name string) (State, error) {
	s.mu.Lock()
	un := s.units[name]
	s.mu.Unlock()
	if un == nil {
		return State{}, fmt.Errorf("wait %s: %w", name, ErrUnknownUnit)
	}
	select {
	case <-un.done:
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.snapshot(un), nil
	case <-ctx.Done():
		return State{}, fmt.Errorf("wait %s: %w", name, ctx.Err())
	}
}

// Close stops every unit concurrently (as Stop does), waits for them and
// closes every Watch channel. No child is left running when it returns
// nil. Later calls to Add fail with ErrSupervisorClosed.
func (s *Supervisor) Close(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	names := make([]string, 0, len(s.units))
	for name := range s.units {
		names = append(names, name)
	}
	s.mu.Unlock()

	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() { errs[i] = s.Stop(ctx, name) })
	}
	wg.Wait()

	s.mu.Lock()
	for name, chs := range s.watches {
		for _, ch := range chs {
			close(ch)
		}
		delete(s.watches, name)
	}
	s.mu.Unlock()
	return errors.Join(errs...)
}
