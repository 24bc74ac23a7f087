package signing

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// KeyID is minisign's 8-byte key number, carried in every public key and
// signature so that a verifier can tell which key claims to have signed.
type KeyID [8]byte

// String renders the id as minisign prints it: 16 upper-case hex digits of
// the bytes read as a little-endian number ("57229A5DF52B2724").
func (id KeyID) String() string {
	return fmt.Sprintf("%016X", binary.LittleEndian.Uint64(id[:]))
}

// ParseKeyID parses the 16 hex digits that [KeyID.String] prints (either
// case).
func ParseKeyID(s string) (KeyID, error) {
	var id KeyID
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(id) {
		return id, fmt.Errorf("%w: key id %q must be 16 hex digits", ErrMalformed, s)
	}
	for i := range b {
		id[i] = b[len(b)-1-i]
	}
	return id, nil
}

// MarshalText encodes the id as [KeyID.String] does.
func (id KeyID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText decodes an id written by [KeyID.MarshalText].
func (id *KeyID) UnmarshalText(b []byte) error {
	v, err := ParseKeyID(string(b))
	if err != nil {
		return err
	}
	*id = v
	return nil
}
