package supervise

import "errors"

var (
	// ErrShutdown is how a Serve says it stopped on purpose: the unit is not
	// restarted. Units stopped with [Supervisor.Stop] or [Supervisor.Close]
	// report it too.
	ErrShutdown = errors.New("supervise: shut down")
	// ErrClosed is how a Serve says the user closed the window: the unit is
	// not restarted.
	ErrClosed = errors.New("supervise: closed by the user")
	// ErrTooManyCrashes reports a unit left stopped because it crashed
	// Policy.MaxCrashes times within Policy.Window.
	ErrTooManyCrashes = errors.New("supervise: too many crashes")
	// ErrRunning reports an Add of a name whose unit is still running.
	ErrRunning = errors.New("supervise: unit already running")
	// ErrUnknownUnit reports a name that was never added.
	ErrUnknownUnit = errors.New("supervise: unknown unit")
	// ErrSupervisorClosed reports a call after [Supervisor.Close].
	ErrSupervisorClosed = errors.New("supervise: supervisor closed")
)
