package store

import "errors"

// Sentinel errors for decisions callers branch on. Returned errors wrap them
// with context; test with errors.Is.
var (
	// ErrNotInstalled: no record exists for the plugin id.
	ErrNotInstalled = errors.New("plugin not installed")
	// ErrAlreadyInstalled: the version is the current or a kept version of
	// the plugin; roll back to it, or uninstall first to reinstall it.
	ErrAlreadyInstalled = errors.New("version already installed")
	// ErrNoPrevious: the plugin has no kept version to roll back to.
	ErrNoPrevious = errors.New("no previous version kept")
	// ErrMissingFiles: a version a record names has no directory on disk
	// (deleted by hand); reinstall the plugin to repair it.
	ErrMissingFiles = errors.New("installed files missing")
	// ErrInvalidRecord: a record has a malformed id, version or range, or a
	// change tried to alter fields only Commit and Rollback may change.
	ErrInvalidRecord = errors.New("invalid plugin record")
	// ErrUnsupportedRecord: a stored record has a format version this build
	// does not know (written by a newer Warden).
	ErrUnsupportedRecord = errors.New("unsupported plugin record format")
	// ErrBadTree: a staged tree holds a symlink or special file.
	ErrBadTree = errors.New("staged tree holds a symlink or special file")
	// ErrStagingClosed: the staging was already committed or discarded, or
	// belongs to another Store.
	ErrStagingClosed = errors.New("staging already committed or discarded")
	// ErrBusy: another warden process (or another caller in this one) holds
	// the profile's install lock.
	ErrBusy = errors.New("profile is locked by another install")
)
