// Package warden embeds Warden in a Go application: a plugin host whose
// plugins ship as signed bundles (manifest, web UI, WebAssembly backend),
// each window in its own webview process, every request decided by the
// trusted core before any capability is reached.
//
// # Lifecycle
//
// [Open] opens a profile directory: the core ([host.Host]: decisions,
// backends, storage, audit), the store of installed plugins and their
// grants, the admin policy, and the window manager whose webview processes
// re-execute the application's own binary with [WebviewArg]. The
// application's main must therefore start with webview.Serve (package
// github.com/wardenhq/warden/host/webview), which runs the webview process
// when the binary was started as one and returns false otherwise; or the
// application builds a separate webview program and names it in
// [Config.Window], as the warden command does (cmd/warden-webview), so that
// its main binary does not link WebKitGTK.
//
// Plugins reach the application through capabilities it registers in
// [Config.Capabilities]: a command, the permission it needs (with the
// consent text shown to the user), who may call it and its handler. Each
// request to one passes the same limits, envelope checks, permission
// decision, admin ceiling and audit as Warden's own capabilities.
//
// An installed plugin runs with [Warden.Run]; a plugin under development
// runs from its source directory with [Warden.LoadSource] and
// [Warden.OpenWindow]. [Warden.Wait] returns when the user closed every
// window, [Warden.Close] stops everything.
//
// The shared isolation hook, a script run in every plugin page's isolation
// frame before any request leaves the page, is the application's
// ([Config.IsolationHook]) and the admin's (the policy's isolation_hook,
// pinned by its SHA-256), with a user's own policy hook if any: all run,
// the user's first and the admin's last, deciding on exactly what is
// sealed. A window never opens without the policy's hooks: when their files
// do not match their pins, [Warden.Run] and [Warden.OpenWindow] refuse,
// and audit it ([HookAuditCmd]).
package warden
