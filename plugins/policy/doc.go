// Package policy reads, checks and applies Warden's admin policy: which
// plugins and which versions may run, which publisher keys are trusted,
// which permissions are blocked and the resource ceilings, applied live as
// the file changes.
//
// # File format
//
// The policy is one JSON object (by default at [DefaultPath]; no comments,
// at most [MaxSize] bytes), parsed strictly: unknown fields, duplicate keys,
// wrong types, null values and trailing data are errors naming the JSON
// path, line and column.
//
//	{
//	  "policy_version": 1,
//	  "description": "Example Co desktop policy",
//	  "default": "block",
//	  "require_signatures": true,
//	  "trusted_keys": ["RWTAzLo8VT6V8JxwqrXAyetiTevzgqMzcCAxPzKkpc8xhf5weLgZPczz"],
//	  "blocked_permissions": ["fs.write", "clipboard.*"],
//	  "ceilings": {"backend_timeout_ms": 5000, "backend_memory_mb": 128,
//	               "invoke_rate": 500, "storage_quota_bytes": 1048576},
//	  "plugins": [
//	    {"id": "com.example.*", "versions": ">=1.2 <2"},
//	    {"id": "com.example.notes", "pin": "1.4.2"},
//	    {"id": "com.example.beta", "allow": false, "reason": "not approved by IT yet"}
//	  ],
//	  "isolation_hook": {"path": "hook.js",
//	                     "sha256": "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"}
//	}
//
// Fields:
//
//   - policy_version (required): 1.
//   - default (required): "allow" lets plugins that no entry matches run;
//     "block" lets only plugins allowed by an entry run.
//   - description: free text for people reading the file, at most 1024
//     characters.
//   - require_signatures: when true, a bundle must be signed by one of
//     trusted_keys; unsigned bundles and other signers are refused. It needs
//     at least one trusted key. When false, signatures are not checked by
//     the policy.
//   - trusted_keys: minisign public keys, each the base64 line of a .pub
//     file. A key is known by its id as minisign prints it
//     ("F0953E553CBACCC0"), the little-endian number in bytes 2 to 10 of the
//     decoded key.
//   - blocked_permissions: permission names ("http", "fs.write",
//     "backend.export") or patterns in which "*" matches any run of
//     characters ("fs.*"). A plugin asking for one is refused, and the
//     permission check denies it at every call.
//   - ceilings: upper bounds applied to every plugin; a field left out has
//     no ceiling. backend_timeout_ms (1 to 60000), backend_memory_mb (1 to
//     4096), invoke_rate (sustained invokes per second, 1 to 1000000),
//     storage_quota_bytes (1 to 2^40).
//   - require_network_isolation: when true, every plugin's webview process
//     must run without network access (an empty network namespace); a
//     plugin whose process cannot be isolated so must not start. Default
//     false.
//   - developer_mode: when false, plugins may run only from the store of
//     installed plugins, never from a source directory. Default true.
//   - plugins: entries for plugin ids or id patterns, described next.
//   - isolation_hook: a script run in every plugin window's isolation
//     frame on each request the plugin's page sends, before it is sealed:
//     it may refuse or change the request (see [Hook]). path (required)
//     is the script's file, absolute or relative to the directory of the
//     policy file; sha256 (required) is the SHA-256 of its contents as 64
//     hex digits. The file is read once when the policy comes into force
//     and run only if it matches the pin, at most [MaxHookSize] bytes of
//     UTF-8 text; otherwise no plugin window opens ([ErrHookMismatch],
//     [ErrHookUnreadable]).
//
// Each entry of plugins has:
//
//   - id (required): a plugin id, or a pattern in which "*" matches any run
//     of characters, dots included ("com.example.*", "*");
//   - allow: false blocks every version of the plugins matched; default
//     true;
//   - versions: a semver range ("^1.4", ">=1.2 <2", "1.x"); pre-releases
//     match only ranges that name a pre-release;
//   - min_version: the lowest version allowed;
//   - pin: the only version allowed; it must satisfy versions and
//     min_version when those are given;
//   - reason: text shown to users when the entry blocks a plugin or a
//     version, at most 512 characters.
//
// # Which entry applies
//
// When several entries match a plugin id, the most specific wins: an exact
// id wins over every pattern, then a pattern with more literal (non-"*")
// characters wins over one with fewer, and when two patterns tie the one
// written first wins. Only the winning entry is used: a plugin matched by
// "com.example.*" (allowed) and by "*" (blocked) is allowed. The same id
// may not be listed twice.
//
// # Layers
//
// The admin's managed policy at [DefaultPath] always applies. A policy a
// user names (warden --policy, $WARDEN_POLICY) is a second layer that can
// only add restrictions: [Combine] builds the policy in force, in which a
// plugin must be allowed by both layers and every setting is the stricter
// of the two, and [WatchLayered] keeps it current as either file changes.
// Isolation hooks add up: the managed layer's hook always runs, and a hook
// the user's layer names runs before it, in a frame whose built-ins are
// frozen, so it can refuse more but never remove the managed one.
//
// # Developer mode
//
// Running a plugin from its source directory instead of the store is
// developer mode. [Policy.CheckSource] refuses it when any layer sets
// "developer_mode": false, and otherwise holds the plugin to the entry,
// version and permission rules as its manifest describes it.
//
// # Decisions
//
// [Policy.Check] decides for a plugin version with its permissions and
// signer; [Policy.AllowsVersion] and [Policy.Pick] look only at ids and
// versions, for choosing what to install. A missing policy file (or a nil
// *Policy) allows everything. [Watch] keeps a policy current as the file
// changes and keeps the last good policy when an edit breaks the file.
package policy
