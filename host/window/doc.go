// Package window runs plugin windows: each in its own webview process (the
// warden binary re-executed as "warden webview"), supervised, in an empty
// network namespace, speaking the core's child protocol.
//
// The package sits beside the trusted core, never inside it: it depends on
// package host for every decision (launches, admission, replies, audit)
// and host depends on nothing here. A [Manager] attaches itself to a
// [host.Host] so that unloading a plugin closes its window.
//
// # Lifecycle
//
// [NewManager] creates the supervisor. [Manager.Open] starts a plugin's
// window: a fresh launch (key and launch id) is sent to a new webview
// process in its init frame, and the launch its next page will use is
// handed over ahead of time. The manager then serves the process's
// connection (and the web process extension's direct channel, when the
// extension took it) until the process ends; a crash starts a new process
// with a new launch, within the supervisor's restart policy.
// [Manager.Stop] closes one window, [Manager.Close] all of them.
//
// # Cost
//
// A window costs one webview process and the WebKit web and network
// processes under it (tens of MB each; see bench/RESULTS.md), two
// goroutines reading its connections, and one goroutine per invoke in
// flight; up to 8 per connection stay parked for the next invokes.
package window
