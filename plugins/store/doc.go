// Package store keeps the record of installed plugins and owns the on-disk
// layout of their files, so that an install, update, rollback or uninstall
// interrupted at any point (SIGKILL, power loss) leaves either the old state
// or the new one, complete.
//
// # Layout
//
// Inside the profile directory:
//
//	state.db                       bbolt file shared with the rest of the host;
//	                               this package owns the bucket "installed"
//	plugins/<id>/<version>/        one extracted bundle tree per kept version
//	staging/<random>/              work in progress, never referenced
//	install.lock                   flock(2) held by [Store.Lock]
//
// Bucket "installed" maps a plugin id to its record as JSON, tagged with the
// format version; see [Plugin]:
//
//	{"v":1,"id":"com.example.notes","version":"1.2.0","previous":["1.1.0"],
//	 "enabled":false,"disabled_reason":"update needs approval","pending":["http"],
//	 "grants":{"storage":{"granted_at":"2025-03-04T05:06:07Z"}},"range":"^1",
//	 "source":"https://plugins.example.com/index.json","signer":"RWQ...",
//	 "installed_at":"...","updated_at":"..."}
//
// A reader refuses a "v" it does not know (ErrUnsupportedRecord) rather than
// misread it. A record is the only thing that makes a version directory
// visible: a directory no record names is garbage. Each plugin keeps its
// current version and up to Keep previous ones (default 2, at most 3) for
// rollback.
//
// # Lifecycle of an install or update
//
//  1. [Store.Lock] takes the profile's install lock (other warden processes wait).
//  2. [Store.Stage] makes a fresh directory under staging/; the caller
//     extracts the verified bundle into [Staging.Dir] and may precompile.
//  3. [Store.Commit] fsyncs the staged tree, moves it to
//     plugins/<id>/<version>/ with one rename, fsyncs the parent directories,
//     then writes the new record in one bbolt transaction. The version that
//     was current moves to the front of [Plugin.Previous]; versions beyond
//     the store's Keep limit leave the record in that transaction and their
//     directories are removed afterwards.
//  4. The caller releases the lock; a deferred [Staging.Discard] is a no-op
//     after a successful Commit and removes the tree otherwise (consent
//     refused, verification failed, ...).
//
// The bbolt transaction is the commit point. A crash before it leaves a
// staged or renamed directory that no record names; a crash after it leaves
// at most dropped or uninstalled directories that no record names. Recovery
// ([Store.Recover], run by [Open]) removes everything under staging/ and
// every directory under plugins/ that no record names, and never touches a
// directory a record names.
//
// [Store.Rollback] swaps the current version with the newest kept one, and
// [Store.Uninstall] deletes the record before removing the files, each in
// one transaction, so they are atomic in the same way.
//
// # Concurrency
//
// A Store is safe for concurrent use; its mutating operations are serialised
// in the process. Across processes, bbolt already lets only one process open
// state.db for writing, and install.lock (flock(2), released by the kernel
// when a process dies) guards the whole install from first staged byte to
// commit; callers hold [Store.Lock] for the duration of an install, update,
// rollback or uninstall. [Open] runs recovery only when it can take the lock
// at once, so it never removes another process's work in progress.
package store
