// Package supervise starts, watches and restarts Warden's child processes:
// each plugin's UI runs in its own webview process (the warden binary
// re-executed as "warden webview"), and a crash of one must neither take
// the core down nor go unnoticed.
//
// # Children
//
// [Spawn] starts one child with one end of a fresh socketpair as fd 3, the
// only channel between the core and the child (no listening socket). The
// child runs in its own process group, so [Child.Kill] and [Child.Stop]
// reach the whole tree it starts (WebKit's web and network processes), and
// with a parent-death signal, so it dies with the core even when the core
// is killed with SIGKILL.
//
// # Supervision
//
// A [Supervisor] runs [Unit]s. For each run it calls Unit.Start for a child
// and Unit.Serve to speak the protocol with it; whichever ends first, Serve
// returning or the child exiting, ends the run. How Serve ended decides
// what happens next: nil or [ErrShutdown] is a deliberate stop, [ErrClosed]
// means the user closed the window, anything else is a crash. A crash is
// logged and restarted after a backoff; too many crashes in the [Policy]'s
// window leave the unit stopped ([ErrTooManyCrashes]) until it is added
// again, the rule VS Code applies to its extension host.
//
// [Supervisor.Close] stops every unit and leaves no child behind.
package supervise
