package registry

import "errors"

// Sentinel errors, wrapped with details by the functions that return them.
var (
	// ErrMalformedIndex: index.json is not a valid index (see ParseIndex).
	ErrMalformedIndex = errors.New("malformed registry index")
	// ErrStaleIndex: a validly signed index is older than one the client
	// has seen before (Client.NotBefore): a mirror, cache or attacker may
	// be replaying it to hide newer versions.
	ErrStaleIndex = errors.New("registry index is older than one seen before")
	// ErrExpiredIndex: a validly signed index is past its "expires" time,
	// or has none: a mirror, cache or attacker may be serving an old
	// index to hide newer versions (a freeze attack).
	ErrExpiredIndex = errors.New("registry index has expired")
	// ErrBadIndexSignature: index.json.minisig is missing, malformed, made
	// by a key other than the registry's, or does not match index.json.
	ErrBadIndexSignature = errors.New("registry index signature does not verify")
	// ErrBundleHash: a downloaded bundle's size or SHA-256 differs from the
	// signed index.
	ErrBundleHash = errors.New("bundle does not match the registry index")
	// ErrTooLarge: an index or bundle is larger than the client accepts.
	ErrTooLarge = errors.New("download too large")
	// ErrTimeout: a server did not answer, or stopped sending, within the
	// client's timeout.
	ErrTimeout = errors.New("registry request timed out")
	// ErrFetch: a server answered with an HTTP status other than 200 OK.
	ErrFetch = errors.New("registry request failed")
	// ErrUnknownPlugin: the index does not list the plugin.
	ErrUnknownPlugin = errors.New("plugin not in the registry")
	// ErrNoMatchingVersion: the index lists the plugin but no version is
	// inside the range and allowed.
	ErrNoMatchingVersion = errors.New("no matching version in the registry")
	// ErrBadRange: a version range is not a semver constraint.
	ErrBadRange = errors.New("invalid version range")
	// ErrVersionExists: Add was given a bundle whose id and version the
	// registry already holds with different bytes.
	ErrVersionExists = errors.New("version already in the registry with different content")
	// ErrBusy: another process is changing the registry directory.
	ErrBusy = errors.New("registry directory is locked")
)
