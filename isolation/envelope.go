package isolation

import (
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/chacha20poly1305"
)

// NonceSize is the size of an envelope's ChaCha20-Poly1305 nonce in bytes
// (the 96-bit nonce of RFC 8439).
const NonceSize = chacha20poly1305.NonceSize

// DefaultMaxEnvelope is the default limit on an envelope's size on the wire,
// in bytes.
const DefaultMaxEnvelope = 1 << 20

const (
	// versionPrefix starts every version 2 envelope.
	versionPrefix = "w2."
	// version is versionPrefix without the dot, as error messages name it.
	version = "w2"
	// adLabel separates Warden envelopes from any other use of the key and
	// pins the format version.
	adLabel = "warden.envelope.v2"
	tagSize = chacha20poly1305.Overhead
)

// b64 is the field encoding: strict so that every value has exactly one
// encoding and the opener can compare encoded ids byte for byte.
var b64 = base64.RawURLEncoding.Strict()

// associatedData returns the AEAD associated data binding an envelope to
// one plugin and launch.
func associatedData(pluginID, launchID string) []byte {
	ad := make([]byte, 0, len(adLabel)+2+len(pluginID)+len(launchID))
	ad = append(ad, adLabel...)
	ad = append(ad, 0)
	ad = append(ad, pluginID...)
	ad = append(ad, 0)
	ad = append(ad, launchID...)
	return ad
}

// newAEAD builds ChaCha20-Poly1305 (RFC 8439) for key.
func newAEAD(key Key) cipher.AEAD {
	aead, err := chacha20poly1305.New(key[:])
	if err != nil {
		// Unreachable: a Key always has the cipher's key size.
		panic("isolation: chacha20poly1305: " + err.Error())
	}
	return aead
}

// checkID rejects ids that cannot be bound unambiguously in the associated
// data.
func checkID(what, id string) error {
	switch {
	case id == "":
		return fmt.Errorf("%s id is empty", what)
	case strings.IndexByte(id, 0) >= 0:
		return fmt.Errorf("%s id contains NUL", what)
	case !utf8.ValidString(id):
		return fmt.Errorf("%s id is not valid UTF-8", what)
	}
	return nil
}

// Seal produces the wire form of req for (pluginID, launchID) under key with
// a fresh random nonce, exactly as the isolation app does. It refuses
// requests that Open would reject for their shape (seq 0, empty cmd, args
// that are not valid JSON) with ErrMalformed. It builds a new cipher
// instance per call; sealing is not on the core's hot path.
func Seal(key Key, pluginID, launchID string, req Request) ([]byte, error) {
	if err := checkID("plugin", pluginID); err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	if err := checkID("launch", launchID); err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	plaintext, err := req.marshal()
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	var nonce [NonceSize]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, fmt.Errorf("seal: nonce: %w", err)
	}
	ct := newAEAD(key).Seal(plaintext[:0:0], nonce[:], plaintext, associatedData(pluginID, launchID))
	return encodeEnvelope(pluginID, launchID, nonce[:], ct), nil
}

// encodeEnvelope assembles the wire form from its parts.
func encodeEnvelope(pluginID, launchID string, nonce, ct []byte) []byte {
	n := len(versionPrefix) + b64.EncodedLen(len(pluginID)) + 1 + b64.EncodedLen(len(launchID)) + 1 +
		b64.EncodedLen(len(nonce)) + 1 + b64.EncodedLen(len(ct))
	out := make([]byte, 0, n)
	out = append(out, versionPrefix...)
	out = b64.AppendEncode(out, []byte(pluginID))
	out = append(out, '.')
	out = b64.AppendEncode(out, []byte(launchID))
	out = append(out, '.')
	out = b64.AppendEncode(out, nonce)
	out = append(out, '.')
	out = b64.AppendEncode(out, ct)
	return out
}

// fields are the still-encoded parts of an envelope.
type fields struct {
	plugin, launch, nonce, ct []byte
}

// splitEnvelope recognises an envelope and splits it into its encoded
// fields. It reports ErrUnsealed for input without the "w<digits>." marker
// and ErrMalformed for a marker of another version (including the retired
// w1, AES-256-GCM) or the wrong number of fields. It does not decode base64.
func splitEnvelope(env []byte) (fields, error) {
	var f fields
	if len(env) < 3 || env[0] != 'w' {
		return f, ErrUnsealed
	}
	i := 1
	for i < len(env) && env[i] >= '0' && env[i] <= '9' {
		i++
	}
	if i == 1 || i == len(env) || env[i] != '.' {
		return f, ErrUnsealed
	}
	if !bytes.HasPrefix(env, []byte(versionPrefix)) {
		return f, fmt.Errorf("%w: format version %q is not supported (want %s); seal it with the current isolation app", ErrMalformed, clip(env[:i]), version)
	}
	// The base64 decoder skips line breaks; the wire format has none.
	if bytes.IndexByte(env, '\n') >= 0 || bytes.IndexByte(env, '\r') >= 0 {
		return f, fmt.Errorf("%w: line break in envelope", ErrMalformed)
	}
	rest := env[len(versionPrefix):]
	var parts [4][]byte
	for k := 0; k < 3; k++ {
		j := bytes.IndexByte(rest, '.')
		if j < 0 {
			return f, fmt.Errorf("%w: %d fields, want 5", ErrMalformed, k+2)
		}
		parts[k], rest = rest[:j], rest[j+1:]
	}
	if bytes.IndexByte(rest, '.') >= 0 {
		return f, fmt.Errorf("%w: more than 5 fields", ErrMalformed)
	}
	parts[3] = rest
	f = fields{plugin: parts[0], launch: parts[1], nonce: parts[2], ct: parts[3]}
	switch {
	case len(f.plugin) == 0:
		return f, fmt.Errorf("%w: missing plugin id", ErrMalformed)
	case len(f.launch) == 0:
		return f, fmt.Errorf("%w: missing launch id", ErrMalformed)
	case len(f.ct) == 0:
		return f, fmt.Errorf("%w: missing ciphertext", ErrMalformed)
	}
	return f, nil
}

// LaunchOf returns the launch id an envelope names, without opening it:
// the id is not authenticated until the envelope is opened with that
// launch's key. A caller holding several launches uses it to pick the one
// to open with. ok is false when env is not a well-formed envelope.
func LaunchOf(env []byte) (id string, ok bool) {
	f, err := splitEnvelope(env)
	if err != nil {
		return "", false
	}
	b, err := b64.DecodeString(string(f.launch))
	if err != nil || checkID("launch", string(b)) != nil {
		return "", false
	}
	return string(b), true
}

// clip shortens attacker-controlled text quoted in an error message.
func clip(b []byte) string {
	const max = 64
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}

// marshal encodes r as the envelope plaintext, refusing what Open would
// reject for its shape.
func (r Request) marshal() ([]byte, error) {
	if r.Seq == 0 {
		return nil, fmt.Errorf("%w: seq must start at 1", ErrMalformed)
	}
	if r.Cmd == "" {
		return nil, fmt.Errorf("%w: missing cmd", ErrMalformed)
	}
	if !utf8.ValidString(r.Cmd) {
		return nil, fmt.Errorf("%w: cmd is not valid UTF-8", ErrMalformed)
	}
	args := bytes.TrimSpace(r.Args)
	if len(args) > 0 && (!json.Valid(args) || !utf8.Valid(args)) {
		return nil, fmt.Errorf("%w: args are not valid JSON", ErrMalformed)
	}
	cmd, err := json.Marshal(r.Cmd)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	// Built by hand so that args travel byte for byte as given.
	b := make([]byte, 0, 40+len(cmd)+len(args))
	b = append(b, `{"seq":`...)
	b = strconv.AppendUint(b, r.Seq, 10)
	b = append(b, `,"id":`...)
	b = strconv.AppendUint(b, r.ID, 10)
	b = append(b, `,"cmd":`...)
	b = append(b, cmd...)
	if len(args) > 0 {
		b = append(b, `,"args":`...)
		b = append(b, args...)
	}
	return append(b, '}'), nil
}
