// Package host is Warden's trusted core: it loads plugins, holds their
// permission subjects and backends, and mediates every request a plugin makes.
//
// # Lifecycle
//
// A [Host] is created with [New] over a profile directory (state file,
// compilation cache, per-plugin data). [Host.Load] reads a plugin directory,
// validates its manifest, compiles its backend (from the on-disk cache when
// the same module was compiled before) and compiles its permission
// [permissions.Subject]. [Plugin.Launch] starts one launch of the plugin's UI:
// a fresh isolation key and launch id, and the [Launch] that stands for the
// connection to that UI. The key is handed to the isolation app only; the
// launch keeps the matching [isolation.Opener].
//
// # The invoke path
//
// [Host.Invoke] takes one envelope as it arrived on a launch's connection:
// identity comes from the launch, never from the message. It checks the rate
// and in-flight limits, opens the envelope (authentication, binding to plugin
// and launch, replay and order), validates the request's shape and size, asks
// the plugin's subject for a decision, dispatches to a capability or to a
// backend export, writes one audit entry and returns the reply. Host
// functions called by a backend during a call pass the same decision and
// dispatch, minus the envelope (the backend is inside the core's sandbox).
//
// [Host.Close] stops everything and flushes the audit log.
package host
