package supervise

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"syscall"
	"time"

	"github.com/wardenhq/warden/host/ipc"
)

// stopGrace is how long Stop waits after SIGTERM before SIGKILL when its
// context has no earlier deadline.
const stopGrace = 3 * time.Second

// Child is a running child process started by [Spawn].
type Child struct {
	// Cmd is the started command. Cmd.ProcessState is set once Done is
	// closed.
	Cmd *exec.Cmd
	// Conn is the core's end of the child's fd 3.
	Conn *ipc.Conn
	// Extra are the core's ends of the child's fd 4, 5, ... (Spec.Extra).
	Extra []*ipc.Conn
	// PID is the child's process id, which is also its process group id.
	PID int

	done chan struct{} // closed once the child has been reaped
	err  error         // Cmd.Wait's result, set before done is closed
}

// Wait waits for the child to exit and returns how it exited (nil for
// status 0, an *exec.ExitError otherwise). It is safe to call from several
// goroutines; all get the same result.
func (c *Child) Wait() error {
	<-c.done
	return c.err
}

// Done is closed once the child has exited and been reaped.
func (c *Child) Done() <-chan struct{} { return c.done }

// Exited reports whether the child has exited.
func (c *Child) Exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// Status describes how the child exited ("exit status 1", "signal:
// killed"), or "running".
func (c *Child) Status() string {
	if !c.Exited() {
		return "running"
	}
	return c.Cmd.ProcessState.String()
}

// Kill sends SIGKILL to the child's process group: the child and every
// process it started that stayed in its group. It does not wait; see Wait.
// Killing a group that is already gone is not an error.
//
// Once the child is reaped its id may in principle be reused, but not while
// any member of its group lives, and Warden kills the group right after the
// child exits, so the window is one system call wide.
func (c *Child) Kill() error { return c.signal(syscall.SIGKILL) }

// Stop ends the child gracefully: SIGTERM to its process group, then
// SIGKILL to the group once the child exits, ctx is done or 3 s have
// passed, whichever is first (the final SIGKILL also removes what the child
// left behind). It returns once the child has exited; an error means the
// group could not be signalled.
func (c *Child) Stop(ctx context.Context) error {
	if !c.Exited() {
		if err := c.signal(syscall.SIGTERM); err != nil {
			return err
		}
		t := time.NewTimer(stopGrace)
		select {
		case <-c.done:
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
	err := c.Kill()
	<-c.done
	return err
}

func (c *Child) signal(sig syscall.Signal) error {
	err := syscall.Kill(-c.PID, sig)
	if err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("signal process group %d: %w", c.PID, err)
	}
	return nil
}

// Close closes the core's ends of all the child's sockets (Conn and
// Extra): blocked Recv calls return. It does not stop the child.
func (c *Child) Close() {
	c.Conn.Close()
	for _, e := range c.Extra {
		e.Close()
	}
}
