package window

import (
	"io"
)

// Options say how one plugin window is run.
type Options struct {
	// Executable is the program run as the webview process, with Args
	// (default: the webview program beside this executable, ProgramPath).
	Executable string
	Args       []string
	// Env is the webview process's environment (default: this process's).
	Env []string
	// IsolationJS are extra scripts run in every isolation frame after the
	// default isolation app: the shared isolation hook.
	IsolationJS []string
	// NoSandbox turns WebKit's web-process sandbox off (it is on by default).
	NoSandbox bool
	// Debug forwards console messages to the log and enables the inspector.
	Debug bool
	// Dev is developer mode (warden dev): the page's console and uncaught
	// errors reach Console, bounded in size and rate by the webview
	// process, and F5 and Ctrl+R reload the page. It gives the page one
	// more message handler, which carries text only.
	Dev bool
	// Console receives the page's console messages (and the webview
	// process's warnings about the page) instead of the core's log: level
	// ("log", "info", "debug", "warn", "error") and text, at most a few
	// kilobytes. It is called from the window's reader goroutine.
	Console func(level, text string)
	// Ephemeral keeps no website data (localStorage, caches) on disk.
	Ephemeral bool
	// Stderr receives the webview processes' own output (default: discarded).
	Stderr io.Writer
	// X and Y, when either is non-zero, place the window's top-left corner.
	X, Y int
	// NoChannel keeps the web process extension's direct channel to the
	// core closed: every envelope is relayed by the webview process.
	NoChannel bool
	// RequireNetworkIsolation refuses to start a webview process that
	// cannot be given an empty network namespace (ErrNoNetworkIsolation);
	// without it such a process starts with the host's network, with a
	// warning in the log and the audit.
	RequireNetworkIsolation bool
	// SharedNetwork runs the webview process in the host's network
	// namespace: only for diagnosis and tests (see NetworkIsolation).
	SharedNetwork bool
	// WebKitFeatures turns WebKit features on or off by identifier after
	// Warden's defaults (webview.NetworkFeatures are off). Leave it nil:
	// tests use it to show what the network namespace holds alone.
	WebKitFeatures map[string]bool
	// Spare keeps a webview process started ahead of need, with nothing
	// of any plugin in it, for the next window to take (see
	// Manager.PrepareSpare): a window opens faster, for the memory of
	// one idle webview process. Each spare serves one window only.
	Spare bool
}
