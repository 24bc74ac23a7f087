package isolation

import "errors"

// Sentinel errors returned (wrapped, with detail) by [Opener.Open] and, for
// ErrMalformed, by [Seal]. Callers branch on them with errors.Is; each one is
// a distinct audit reason.
var (
	// ErrEmpty reports a zero-length envelope.
	ErrEmpty = errors.New("isolation: empty envelope")
	// ErrTooLarge reports an envelope over the opener's size limit; it is
	// decided before any decoding.
	ErrTooLarge = errors.New("isolation: envelope too large")
	// ErrUnsealed reports input that is not an envelope at all, such as a
	// plain JSON request.
	ErrUnsealed = errors.New("isolation: request is not sealed")
	// ErrMalformed reports an envelope with missing or badly encoded fields,
	// a wrong nonce length, a ciphertext shorter than the tag, or an
	// authenticated plaintext that is not a valid request.
	ErrMalformed = errors.New("isolation: malformed envelope")
	// ErrWrongPlugin reports an envelope addressed to another plugin.
	ErrWrongPlugin = errors.New("isolation: envelope for another plugin")
	// ErrWrongLaunch reports an envelope for another launch of this plugin.
	ErrWrongLaunch = errors.New("isolation: envelope for another launch")
	// ErrTampered reports a failed Poly1305 authentication: a modified
	// envelope or the wrong key.
	ErrTampered = errors.New("isolation: envelope failed authentication")
	// ErrReplay reports an envelope that was already accepted.
	ErrReplay = errors.New("isolation: envelope replayed")
	// ErrSeqOrder reports a new envelope whose seq is not greater than the
	// last accepted one.
	ErrSeqOrder = errors.New("isolation: sequence number out of order")
)
