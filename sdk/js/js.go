// Package js holds the JavaScript Warden injects into plugin pages and the
// isolation frame, embedded so the webview process serves exactly what was
// built with it.
//
//   - bridge.js runs in the plugin page's own world, top frame only, at
//     document start. It defines window.warden (invoke, listen), creates the
//     sandboxed isolation iframe and talks to it with postMessage. It holds
//     no key and reaches no native handler.
//   - channel.js runs in the "warden-isolation" script world of the
//     isolation iframe only, after the isolation app. It hands sealed
//     envelopes to the webview process through the one native handler
//     registered in that world, and posts replies back to the page.
//   - warden.d.ts types the page API for plugin authors: each core
//     capability's arguments and result. BackendTypes writes the
//     declarations that add a plugin's own backend commands to it.
package js

import _ "embed"

// Bridge is the page-world bridge script.
//
//go:embed bridge.js
var Bridge string

// Channel is the isolation world's channel script.
//
//go:embed channel.js
var Channel string

// Types is the TypeScript declaration of the page API.
//
//go:embed warden.d.ts
var Types string

// World is the script world of the isolation frame's scripts and native
// handler; page scripts never run in it.
const World = "warden-isolation"

// Handler is the name of the native message handler registered (with
// reply) in World.
const Handler = "warden"
