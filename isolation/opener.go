package isolation

import (
	"bytes"
	"crypto/cipher"
	"fmt"
)

// Opener opens the envelopes of one launch. It is safe for concurrent use;
// the replay and seq check is atomic with respect to concurrent Opens (two
// Opens racing with envelopes out of order reject the lower seq with
// ErrSeqOrder).
type Opener struct {
	aead     cipher.AEAD
	pluginID string
	launchID string
	// Expected encoded id fields: with strict base64 every id has one
	// encoding, so the common case is a byte comparison, not a decode.
	pluginField []byte
	launchField []byte
	ad          []byte
	max         int
	guard       replayGuard
}

// NewOpener returns an Opener for the launch launchID of plugin pluginID
// under key. maxEnvelope limits the envelope size on the wire; <= 0 means
// DefaultMaxEnvelope. It builds the ChaCha20-Poly1305 instance once (a
// small allocation); an Opener costs a few hundred bytes plus up to
// ReplayWindow remembered nonces.
func NewOpener(key Key, pluginID, launchID string, maxEnvelope int) *Opener {
	if maxEnvelope <= 0 {
		maxEnvelope = DefaultMaxEnvelope
	}
	return &Opener{
		aead:        newAEAD(key),
		pluginID:    pluginID,
		launchID:    launchID,
		pluginField: b64.AppendEncode(nil, []byte(pluginID)),
		launchField: b64.AppendEncode(nil, []byte(launchID)),
		ad:          associatedData(pluginID, launchID),
		max:         maxEnvelope,
	}
}

// PluginID returns the plugin id the Opener accepts.
func (o *Opener) PluginID() string { return o.pluginID }

// LaunchID returns the launch id the Opener accepts.
func (o *Opener) LaunchID() string { return o.launchID }

// Open authenticates and decodes one envelope, or says exactly why not with
// one of the package's sentinel errors (wrapped with detail). An accepted
// envelope advances the launch's replay state. A 100-byte request costs
// about a microsecond and two allocations; Args aliases a buffer owned by
// the returned Request.
func (o *Opener) Open(envelope []byte) (Request, error) {
	if len(envelope) > o.max {
		return Request{}, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(envelope), o.max)
	}
	if len(envelope) == 0 {
		return Request{}, ErrEmpty
	}
	f, err := splitEnvelope(envelope)
	if err != nil {
		return Request{}, err
	}

	// Decode every field before judging any, so a malformed envelope is
	// reported as such whatever it claims in the clear.
	pluginOK, err := matchID(f.plugin, o.pluginField, "plugin id")
	if err != nil {
		return Request{}, err
	}
	launchOK, err := matchID(f.launch, o.launchField, "launch id")
	if err != nil {
		return Request{}, err
	}
	if len(f.nonce) != b64.EncodedLen(NonceSize) {
		return Request{}, fmt.Errorf("%w: nonce field is %d characters, want %d", ErrMalformed, len(f.nonce), b64.EncodedLen(NonceSize))
	}
	// One buffer holds the nonce and the ciphertext, which is then
	// decrypted in place: it becomes the plaintext that Args aliases.
	buf := make([]byte, NonceSize+b64.DecodedLen(len(f.ct)))
	if _, err := b64.Decode(buf[:NonceSize], f.nonce); err != nil {
		return Request{}, fmt.Errorf("%w: nonce: %w", ErrMalformed, err)
	}
	n, err := b64.Decode(buf[NonceSize:], f.ct)
	if err != nil {
		return Request{}, fmt.Errorf("%w: ciphertext: %w", ErrMalformed, err)
	}
	if n < tagSize {
		return Request{}, fmt.Errorf("%w: ciphertext is %d bytes, shorter than the tag", ErrMalformed, n)
	}
	if !pluginOK {
		return Request{}, fmt.Errorf("%w: %q", ErrWrongPlugin, clip(mustDecode(f.plugin)))
	}
	if !launchOK {
		return Request{}, fmt.Errorf("%w: %q", ErrWrongLaunch, clip(mustDecode(f.launch)))
	}

	nonce, ct := buf[:NonceSize], buf[NonceSize:NonceSize+n]
	plaintext, err := o.aead.Open(ct[:0], nonce, ct, o.ad)
	if err != nil {
		return Request{}, ErrTampered
	}
	req, err := parseRequest(plaintext)
	if err != nil {
		return Request{}, err
	}
	if err := o.guard.accept([NonceSize]byte(nonce), req.Seq); err != nil {
		return Request{}, err
	}
	return req, nil
}

// matchID reports whether an encoded id field is the expected one, and
// ErrMalformed if it is not valid base64url at all.
func matchID(field, want []byte, what string) (bool, error) {
	if bytes.Equal(field, want) {
		return true, nil
	}
	if _, err := b64.DecodeString(string(field)); err != nil {
		return false, fmt.Errorf("%w: %s: %w", ErrMalformed, what, err)
	}
	return false, nil
}

// mustDecode decodes a field already validated by matchID.
func mustDecode(field []byte) []byte {
	b, _ := b64.DecodeString(string(field))
	return b
}
