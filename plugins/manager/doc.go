// Package manager carries out the plugin lifecycle users see: install a
// bundle after verifying it and asking for consent, update, grant and
// revoke permissions, enable and disable, roll back and uninstall.
//
// It composes the packages that each own one part: [bundle] reads and
// verifies bundle files, [policy] says what the admin allows, [store] keeps
// the record of installed plugins and makes every change atomic, and a
// [Precompiler] fills the host's compilation cache. A Manager holds no state
// of its own beyond them, so any number of short-lived processes (one per
// CLI command) may use the same profile one after another.
//
// # Install
//
//  1. Open the bundle: structure, limits and every entry's SHA-256 against
//     the signed list ([bundle.Open]).
//  2. Check the signature against the keys the user passed and the keys
//     the admin trusts; unsigned bundles need AllowUnsigned, and a policy
//     that requires signatures needs a key it trusts.
//  3. Check host compatibility and the admin policy.
//  4. Ask for consent ([Consent]): the user sees every permission with
//     its description and approves all of them or none. Refusing leaves
//     nothing behind.
//  5. Under the profile's install lock: extract into staging, precompile
//     the backend, commit (one rename and one bbolt transaction).
//
// # Update
//
// An update keeps the user's grants. When the new version asks for
// permissions the user has not granted, it is installed but left disabled
// with those permissions pending, until [Manager.Grant] approves them
// (Chrome's rule). The previous version is kept for [Manager.Rollback].
//
// # Policy
//
// Being blocked by policy is not stored: [Manager.Status] derives it from
// the policy in force, so a plugin blocked by one policy file runs again as
// soon as a later one allows it, with nothing to undo.
package manager
