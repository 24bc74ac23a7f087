package manager

import "errors"

var (
	// ErrConsentRefused reports that the user did not approve the
	// permissions; nothing was installed.
	ErrConsentRefused = errors.New("permissions not approved")
	// ErrIncompatible reports a plugin that does not support this host
	// version.
	ErrIncompatible = errors.New("not compatible with this host")
	// ErrUnsigned reports an unsigned bundle installed without
	// AllowUnsigned.
	ErrUnsigned = errors.New("bundle is not signed")
	// ErrNotNewer reports an update to a version that is not newer than
	// the installed one.
	ErrNotNewer = errors.New("not newer than the installed version")
	// ErrNotDeclared reports a grant of a permission the plugin's manifest
	// does not ask for.
	ErrNotDeclared = errors.New("permission not declared by the plugin")
	// ErrPublisherChanged reports an update that is not signed by the key
	// the installed version was verified with (another key, no signature,
	// or one that does not verify) and that the user did not accept as a
	// new publisher.
	ErrPublisherChanged = errors.New("not signed by the installed version's publisher")
	// ErrAlwaysGranted reports a grant or revoke of a permission no user
	// decides on: an implicit one every plugin has (log, events), or the
	// permission of one of the plugin's own backend commands.
	ErrAlwaysGranted = errors.New("always granted")
	// ErrPending reports enabling a plugin whose update still waits for
	// permissions.
	ErrPending = errors.New("permissions pending approval")
)
