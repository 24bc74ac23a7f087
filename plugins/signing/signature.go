package signing

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/jedisct1/go-minisign"
)

// MaxSignatureSize bounds a .minisig file: four lines, the longest a
// trusted comment of minisign's maximum (8 KiB).
const MaxSignatureSize = 16 << 10

// Decoded sizes of a signature's two base64 lines.
const (
	sigLineLen    = 2 + 8 + 64
	globalLineLen = 64
)

// Signature is a parsed minisign signature file (.minisig). Parsing checks
// only the format; [Verify] checks the signature.
type Signature struct {
	// KeyID names the key that claims to have made the signature.
	KeyID KeyID
	// Prehashed is true for the "ED" kind (signature over the BLAKE2b-512
	// of the message) and false for legacy "Ed" signatures.
	Prehashed bool
	// UntrustedComment is the first line without its prefix; anyone can
	// change it.
	UntrustedComment string
	// TrustedComment is the third line without its prefix; the global
	// signature covers it.
	TrustedComment string

	raw minisign.Signature
}

// ParseSignature parses the text of a .minisig file: an "untrusted
// comment:" line, the base64 signature, a "trusted comment:" line and the
// base64 global signature, each ending in a newline (the last one may be
// missing; CRLF is accepted). Anything else is ErrMalformed.
func ParseSignature(data []byte) (*Signature, error) {
	if len(data) > MaxSignatureSize {
		return nil, fmt.Errorf("%w: signature is %d bytes, more than the %d a minisign signature may have", ErrMalformed, len(data), MaxSignatureSize)
	}
	text := strings.TrimSuffix(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	lines := strings.Split(text, "\n")
	if len(lines) != 4 {
		return nil, fmt.Errorf("%w: signature has %d lines, want 4 (untrusted comment, signature, trusted comment, global signature)", ErrMalformed, len(lines))
	}
	if !strings.HasPrefix(lines[0], untrustedPrefix) {
		return nil, fmt.Errorf("%w: signature line 1 must start with %q", ErrMalformed, untrustedPrefix)
	}
	if !strings.HasPrefix(lines[2], trustedPrefix) {
		return nil, fmt.Errorf("%w: signature line 3 must start with %q", ErrMalformed, trustedPrefix)
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(lines[1])
	if err != nil || len(sig) != sigLineLen {
		return nil, fmt.Errorf("%w: signature line 2 is not a base64 signature of %d bytes", ErrMalformed, sigLineLen)
	}
	global, err := base64.StdEncoding.Strict().DecodeString(lines[3])
	if err != nil || len(global) != globalLineLen {
		return nil, fmt.Errorf("%w: signature line 4 is not a base64 global signature of %d bytes", ErrMalformed, globalLineLen)
	}
	s := &Signature{
		UntrustedComment: strings.TrimPrefix(lines[0], untrustedPrefix),
		TrustedComment:   strings.TrimPrefix(lines[2], trustedPrefix),
	}
	switch string(sig[:2]) {
	case "ED":
		s.Prehashed = true
	case "Ed":
	default:
		return nil, fmt.Errorf("%w: signature algorithm %q is not minisign's Ed25519 (\"ED\" or \"Ed\")", ErrMalformed, sig[:2])
	}
	copy(s.KeyID[:], sig[2:10])
	s.raw = minisign.Signature{UntrustedComment: lines[0], TrustedComment: lines[2]}
	copy(s.raw.SignatureAlgorithm[:], sig[:2])
	copy(s.raw.KeyId[:], sig[2:10])
	copy(s.raw.Signature[:], sig[10:])
	copy(s.raw.GlobalSignature[:], global)
	return s, nil
}
