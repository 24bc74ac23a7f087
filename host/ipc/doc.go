// Package ipc is the framing between Warden's core and a webview process:
// length-prefixed frames on one inherited socketpair, each with a type, a
// correlation id and a payload.
//
//	frame = length (uint32 BE, counts type+id+payload) | type (uint8) | id (uint32 BE) | payload
//
// A frame larger than the reader's maximum is refused before its payload is
// read, so a confused or hostile peer cannot make the other side allocate
// without bound. The webview process runs untrusted JavaScript, so the core
// treats every frame from it as untrusted input.
package ipc
