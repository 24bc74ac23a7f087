package bundle

import "errors"

// Sentinel errors. Every error from [Read] and [Open] wraps exactly one of
// these, with the entry and what to do in the message.
var (
	// ErrMalformed: the file is not a zip in the form Warden writes
	// (including zip64, multi-disk, encrypted or oddly compressed entries).
	ErrMalformed = errors.New("malformed bundle")
	// ErrPathTraversal: an entry name has a ".." element.
	ErrPathTraversal = errors.New("path traversal in entry name")
	// ErrAbsolutePath: an entry name is absolute: a leading "/", a drive
	// letter or a backslash.
	ErrAbsolutePath = errors.New("absolute entry name")
	// ErrBadName: an entry name is not a clean, relative, UTF-8 path
	// without control characters, or is too long, or is reserved.
	ErrBadName = errors.New("invalid entry name")
	// ErrSymlink: an entry is a symbolic link.
	ErrSymlink = errors.New("symlink entry")
	// ErrNotRegular: an entry is a directory, device or other non-regular
	// file.
	ErrNotRegular = errors.New("non-regular entry")
	// ErrDuplicate: two entries have the same name, also after cleaning
	// and case-folding, or a name is both a file and a directory.
	ErrDuplicate = errors.New("duplicate entry")
	// ErrTooManyEntries: the bundle has more entries than Limits allow.
	ErrTooManyEntries = errors.New("too many entries")
	// ErrTooLarge: the entries' total uncompressed size, or the file's own
	// size, is above Limits.
	ErrTooLarge = errors.New("bundle too large")
	// ErrCompressionRatio: an entry expands more than Limits allow, as in
	// a zip bomb.
	ErrCompressionRatio = errors.New("compression ratio too high")
	// ErrBadList: WARDEN/entries is missing or not in its format.
	ErrBadList = errors.New("invalid entry list")
	// ErrNotListed: an entry is not in the signed entry list.
	ErrNotListed = errors.New("entry not in the signed list")
	// ErrMissing: the entry list names an entry the bundle does not hold.
	ErrMissing = errors.New("listed entry missing")
	// ErrSizeMismatch: an entry's size differs from the list.
	ErrSizeMismatch = errors.New("entry size does not match the list")
	// ErrHashMismatch: an entry's SHA-256 differs from the list.
	ErrHashMismatch = errors.New("entry hash does not match the list")
	// ErrManifest: manifest.json is missing or invalid, or names files the
	// bundle does not hold.
	ErrManifest = errors.New("invalid bundle manifest")
	// ErrDevScopes: the bundle's manifest has dev_scopes, which only a
	// plugin run from source may have; `warden pack` drops them.
	ErrDevScopes = errors.New("bundle manifest has dev_scopes")
	// ErrUnsigned: the bundle has no signature.
	ErrUnsigned = errors.New("bundle is not signed")
	// ErrNotEmpty: Extract was given a directory that is not empty.
	ErrNotEmpty = errors.New("extract directory not empty")
)
