// Package webview is Warden's WebKitGTK 4.1 binding and the webview process
// that shows one plugin's UI.
//
// The binding is small and Go-shaped: [Init], [Run], [Quit] and [Dispatch]
// drive GTK's main loop on the main OS thread; a [Window] is a GtkWindow
// holding one WebKitWebView with its own WebKitWebContext (so URI schemes,
// website data and the web process are per window) and its own
// WebKitUserContentManager (so user scripts and script worlds are per
// window). Every method of a Window must run on the GTK thread: call them
// from [Dispatch] or from the Window's own callbacks.
//
// [RunChild] is the webview process: it reads the core's Init frame, opens
// the plugin's window, serves the plugin: and isolation: schemes, injects
// the bridge and the isolation scripts, and relays replies to evaluations
// and events over the inherited socket (package host/ipc). Envelopes go
// from the web process straight to the core over a second socket (fd 4)
// that this process hands to Warden's web process extension (package
// webext); without the extension it relays them too.
//
// This is the only cgo package in Warden. C definitions live in webview.c;
// Go preambles only include webview.h. The web process extension is C
// built separately (webext/src), as WebKit loads it from a directory.
package webview
