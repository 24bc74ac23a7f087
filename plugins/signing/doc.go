// Package signing makes and checks Warden's publisher signatures. Keys and
// signatures are minisign's (Ed25519, https://jedisct1.github.io/minisign/):
// a key made with `warden keygen` works with `minisign -S`, a signature made
// by Warden verifies with `minisign -V`, and a key or signature made by
// minisign works with Warden.
//
// Signatures are the prehashed "ED" kind that minisign writes by default
// (Ed25519 over the BLAKE2b-512 of the message), with a global signature
// over the signature and its trusted comment, so the trusted comment cannot
// be changed either. Verification also accepts minisign's legacy "Ed"
// signatures over the raw message.
//
// Key files are minisign's formats. Warden writes secret keys unencrypted
// (minisign's -W form), mode 0600, and reads encrypted ones given the
// password.
package signing
