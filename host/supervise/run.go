package supervise

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/wardenhq/warden/host/ipc"
)

// ending is how one run of a unit ended.
type ending struct {
	err    error  // Serve's result, or the failed start's error
	cause  string // for the crash reason: the exit status or the error
	pid    int    // 0 when no child ran
	status string // the child's exit status, "" when no child ran
}

// loop supervises un from its first child c until it is stopped for good.
func (s *Supervisor) loop(un *unit, c *Child) {
	defer close(un.done)
	defer un.cancel() // releases the unit's context once it is stopped for good
	var end ending
	for {
		if c != nil {
			end = s.runOnce(un, c)
		}
		delay, again, crash := s.settle(un, end)
		if crash != nil && un.OnCrash != nil {
			un.OnCrash(*crash)
		}
		if !again {
			return
		}
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-un.ctx.Done():
			t.Stop()
			s.mu.Lock()
			s.setStopped(un, "stopped", ErrShutdown)
			s.mu.Unlock()
			return
		}
		var err error
		if c, err = s.start(un, un.ctx); err != nil {
			if un.ctx.Err() != nil {
				s.mu.Lock()
				s.setStopped(un, "stopped", ErrShutdown)
				s.mu.Unlock()
				return
			}
			// A failed restart counts as a crash, so a unit that cannot
			// start at all ends up stopped instead of retrying forever.
			end = ending{err: fmt.Errorf("start: %w", err), cause: "start: " + err.Error()}
		}
	}
}

// settle records how a run ended and says whether to restart, and after
// how long, and, when the run crashed, how.
func (s *Supervisor) settle(un *unit, end ending) (time.Duration, bool, *Crash) {
	s.mu.Lock()
	defer s.mu.Unlock()
	un.child = nil
	un.state.Running, un.state.PID = false, 0
	switch {
	case un.ctx.Err() != nil:
		s.setStopped(un, "stopped", ErrShutdown)
		s.log.Info("unit stopped", "unit", un.Name, "pid", end.pid, "status", end.status)
		return 0, false, nil
	case end.err == nil || errors.Is(end.err, ErrShutdown):
		s.setStopped(un, "stopped", ErrShutdown)
		s.log.Info("unit shut down", "unit", un.Name, "pid", end.pid, "status", end.status)
		return 0, false, nil
	case errors.Is(end.err, ErrClosed):
		s.setStopped(un, "closed", ErrClosed)
		s.log.Info("unit closed by the user", "unit", un.Name, "pid", end.pid, "status", end.status)
		return 0, false, nil
	}
	now := s.now()
	n := un.crashes.record(now, s.policy.Window)
	crash := &Crash{At: now, Count: n, Cause: end.cause}
	s.log.Warn("unit crashed", "unit", un.Name, "pid", end.pid, "status", end.status, "crashes", n, "err", end.err)
	if n >= s.policy.MaxCrashes {
		reason := fmt.Sprintf("crashed %d times in %s; last: %s", n, s.policy.Window, end.cause)
		s.setStopped(un, reason, fmt.Errorf("%s: %w", reason, ErrTooManyCrashes))
		s.log.Error("unit crashed too often, not restarting", "unit", un.Name, "reason", reason)
		crash.Stopped = true
		return 0, false, crash
	}
	s.changed(un)
	return s.policy.Backoff(n), true, crash
}

// start calls un.Start and installs the child, unless the unit was stopped
// or abort (Add's context, for the first start) ended meanwhile, in which
// case the new child is killed.
func (s *Supervisor) start(un *unit, abort context.Context) (*Child, error) {
	c, err := un.Start(un.ctx)
	if err != nil {
		return nil, err
	}
	if c == nil || c.done == nil {
		return nil, errors.New("start returned no child made by Spawn")
	}
	s.mu.Lock()
	if err := abort.Err(); err != nil || un.ctx.Err() != nil {
		s.mu.Unlock()
		c.Kill()
		c.Wait()
		c.Close()
		if err != nil {
			return nil, fmt.Errorf("start abandoned: %w", err)
		}
		return nil, fmt.Errorf("unit stopped while starting: %w", ErrShutdown)
	}
	un.starting = false
	un.child = c
	un.state.Running, un.state.PID = true, c.PID
	un.state.Starts++
	starts := un.state.Starts
	s.changed(un)
	s.mu.Unlock()
	s.log.Info("unit started", "unit", un.Name, "pid", c.PID, "starts", starts)
	return c, nil
}

// runOnce runs Serve with c until either Serve returns or c exits, then
// makes sure both have ended and nothing of c's process group is left.
func (s *Supervisor) runOnce(un *unit, c *Child) ending {
	ctx, cancel := context.WithCancel(un.ctx)
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- un.Serve(ctx, c) }()

	var err error
	exited := false // c exited by itself, not killed by this run
	select {
	case err = <-served:
		// Serve ended the run. Give the child a moment to exit by itself:
		// one stopped on purpose is shutting down (and, stopping, Stop is
		// ending it); a crashed one is usually already dying, as Serve's
		// EOF often arrives just before the exit, whose status says more.
		var grace time.Duration
		switch {
		case un.ctx.Err() != nil:
			grace = stopGrace + time.Second
		case err == nil || errors.Is(err, ErrShutdown):
			c.Conn.Send(ipc.Frame{Type: ipc.TypeShutdown})
			grace = s.exitGrace
		case errors.Is(err, ErrClosed):
			grace = s.exitGrace
		default:
			grace = s.crashGrace
		}
		t := time.NewTimer(grace)
		select {
		case <-c.done:
			exited = true
		case <-t.C:
		}
		t.Stop()
		c.Kill()
		<-c.done
	case <-c.done:
		exited = true
		// What the child started may still hold its end of the socket:
		// kill it, so Serve reads what the child wrote last (its "closed"
		// frame, say) and then EOF.
		c.Kill()
		grace := s.drainGrace
		if un.ctx.Err() != nil {
			grace = 0
		}
		t := time.NewTimer(grace)
		select {
		case err = <-served:
		case <-t.C:
			c.Close()
			cancel()
			err = <-served
		}
		t.Stop()
	}
	c.Kill()
	c.Close()

	end := ending{err: err, pid: c.PID, status: c.Status()}
	// The exit status of a child that died by itself explains a crash
	// better than the lost connection it left; an error of Serve's own
	// (a protocol error, "web process crashed") explains it better than
	// the kill or exit that followed.
	lostConn := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed)
	switch {
	case exited && !c.Cmd.ProcessState.Success() && (err == nil || lostConn):
		end.cause = end.status
	case err != nil:
		end.cause = err.Error()
	default:
		end.cause = end.status
	}
	return end
}
