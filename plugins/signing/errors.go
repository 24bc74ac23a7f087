package signing

import "errors"

// Sentinel errors, wrapped with details by the functions that return them.
var (
	// ErrMalformed: a key or signature is not in minisign's format.
	ErrMalformed = errors.New("malformed key or signature")
	// ErrUntrustedKey: the signature was made by a key that is not among
	// the trusted ones.
	ErrUntrustedKey = errors.New("signed by an untrusted key")
	// ErrBadSignature: the signature does not match the message or its
	// trusted comment under the key that claims to have made it.
	ErrBadSignature = errors.New("bad signature")
	// ErrEncryptedKey: the secret key is encrypted and no password was
	// given.
	ErrEncryptedKey = errors.New("secret key is encrypted")
	// ErrWrongPassword: the password does not decrypt the secret key.
	ErrWrongPassword = errors.New("wrong password for secret key")
	// ErrKeyExists: a key file already exists and overwriting was not
	// asked for.
	ErrKeyExists = errors.New("key file already exists")
)
