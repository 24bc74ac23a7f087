// Package isolation seals and opens the requests a plugin UI sends to the
// Warden core, and ships the default isolation app that does the sealing in
// the browser.
//
// Every launch of a plugin's UI gets a fresh 256-bit key ([NewKey]) and
// launch id ([NewLaunchID]). The key is embedded only in the isolation
// document ([Document]), served from the separate isolation: scheme into a
// sandboxed, opaque-origin iframe. The iframe seals each request with
// ChaCha20-Poly1305 and the core opens it with an [Opener] bound to that
// launch's key, plugin id and launch id. The plugin page never holds the
// key, so it cannot forge, replay or redirect a request without the iframe,
// and every request the iframe seals has passed the isolation hook.
//
// # Wire format (version 2)
//
// An envelope is one ASCII string of five dot-separated fields:
//
//	w2.<P>.<L>.<N>.<C>
//
//	w2  format marker and version
//	P   base64url(plugin id, UTF-8)
//	L   base64url(launch id, UTF-8)
//	N   base64url(nonce), exactly 12 random bytes (16 characters)
//	C   base64url(ciphertext || 16-byte Poly1305 tag)
//
// base64url is the URL-safe alphabet of RFC 4648 section 5 without padding,
// decoded strictly: padding, line breaks, other characters and non-zero
// trailing bits are rejected. P, L and C must not be empty.
//
// C is the ChaCha20-Poly1305 AEAD of RFC 8439 (section 2.8: 32-byte key,
// 96-bit nonce, block counter starting at 1, 128-bit tag) over the
// plaintext with nonce N and associated data
//
//	"warden.envelope.v2" 0x00 <plugin id> 0x00 <launch id>
//
// so the plugin id and launch id, which travel in the clear so that the
// opener can report a wrong plugin or launch precisely, cannot be changed
// without failing authentication, and an envelope of one format version can
// never be read as another. The nonce is random: with a fresh key per
// launch, the chance of any two envelopes of a launch sharing a nonce stays
// below 2^-32 for up to 2^32 envelopes, far more than a launch sends.
//
// Version 1 (marker w1, AES-256-GCM, label "warden.envelope.v1") is
// retired: a w1 envelope is refused with [ErrMalformed] naming the
// unsupported version.
//
// The plaintext is a UTF-8 JSON object with exactly these members:
//
//	{"seq": 1, "id": 7, "cmd": "storage.get", "args": {...}}
//
// seq (required) is a positive integer, strictly increasing per launch and
// starting at 1 (gaps are allowed: a request the frame fails to deliver
// still used its number); id (optional, default 0) is the caller's request id, a
// non-negative integer; cmd (required) is a non-empty string; args
// (optional) is any JSON value, and null means absent. Numbers must be plain
// integers (no sign, fraction or exponent) that fit in 64 bits. Unknown or
// duplicate members, trailing data and invalid UTF-8 are rejected.
//
// # Opening
//
// [Opener.Open] checks, in this order, and returns the first failure:
// size ([ErrTooLarge]), emptiness ([ErrEmpty]), the "w<digits>." marker
// ([ErrUnsealed]: a plain JSON request is never accepted, with or without
// arguments), field shape ([ErrMalformed]), plugin id ([ErrWrongPlugin]),
// launch id ([ErrWrongLaunch]), the Poly1305 tag ([ErrTampered]), the plaintext
// shape ([ErrMalformed]), the nonce against the last [ReplayWindow] accepted
// envelopes ([ErrReplay]) and seq against the last accepted seq
// ([ErrSeqOrder]). Replay state advances only for envelopes that pass every
// check. Because seq must increase, a launch's envelopes should be opened
// in the order they arrive on its connection.
//
// # The isolation app
//
// [App] holds the default app: index.html and isolation.js, classic
// scripts without dependencies. [Document] renders index.html for one
// launch with three HTML-escaped attributes on the <html> element:
// data-warden-key (the key, base64url without padding), data-warden-plugin
// and data-warden-launch. isolation.js reads them once, keeps the key only
// in a closure and removes the attribute.
//
// isolation.js defines the global WardenIsolation:
//
//	sealSync(keyBytes, pluginId, launchId, {seq, id, cmd, args}) -> string
//	seal(keyBytes, pluginId, launchId, {seq, id, cmd, args}) -> Promise<string>
//	aead   the cipher, keyless: seal, open, chacha20Block, poly1305
//	send   set by the webview host: send(envelope, id) delivers to the core
//	hook   optional; window.__WARDEN_ISOLATION_HOOK__ takes precedence
//
// The cipher is ChaCha20-Poly1305 in plain JavaScript, synchronous and free
// of secret-dependent branches and table lookups (Poly1305 runs on 22-bit
// limbs so that every product is exact in a double). WebCrypto has no
// ChaCha20, and its asynchronous calls cost two thread hops each.
//
// In a frame with a parent it accepts message events whose source is the
// parent and whose data is {id, cmd, args}, runs the hook (which may return
// the payload, a changed payload, nothing to keep the payload, or a Promise
// of these, or throw or reject to refuse), assigns the next seq, seals and
// calls send. A hook that answers synchronously (or no hook) gets its
// request sealed and sent in the same task as the message event; a Promise
// is awaited first. The seq is assigned immediately before send, so
// envelopes leave in seq order whatever order hooks settle in. Refusals and
// failures are posted back to the parent as {id, error} and nothing reaches
// the core. The hook cannot change id, and members other than cmd and args
// in its result are not sealed.
//
// # Hooks of two authorities
//
// [HookScripts] turns an admin's hooks and a user's ([Hook.User]) into the
// scripts a frame loads after the app: a chain (app/hooks.js) that
// becomes window.__WARDEN_ISOLATION_HOOK__ and runs the user's hooks
// first and the admin's last, each on a fresh copy of the request. Before
// the first user hook loads, the chain freezes the realm's built-in
// objects and pins the global names the trusted scripts use, so a user's
// hook can refuse more but cannot remove, replace or get around the
// admin's. A hook that fails to load fails every request. Freezing costs
// about 10 ms per page in WebKitGTK, and only frames with hooks pay it.
package isolation
