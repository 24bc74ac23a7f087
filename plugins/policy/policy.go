package policy

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
	"github.com/wardenhq/warden/permissions"
)

// Action is what a policy does with plugins that no entry matches.
type Action string

// The two defaults.
const (
	Allow Action = "allow"
	Block Action = "block"
)

// Policy is a parsed, validated admin policy. It is immutable and safe for
// concurrent use; the nil *Policy, like a missing file, allows everything.
type Policy struct {
	// Source says where the policy came from: the file's path, "inline"
	// for [Parse], or a sentence saying that no policy file exists and
	// everything is allowed.
	Source string
	// Path is the file the policy was loaded from ("" for [Parse]).
	Path string
	// Missing reports that the file did not exist: no policy is in force.
	Missing bool

	description string
	def         Action
	requireSig  bool
	netIso      bool // require_network_isolation
	noDevMode   bool // developer_mode: false
	keys        []TrustedKey
	blocked     []string
	ceilings    Ceilings
	entries     []Entry
	hooks       []Hook    // isolation_hook; for Combine, managed first
	broken      string    // set when the file is invalid and everything is blocked
	layers      []*Policy // for a policy made by Combine: managed first, then the user's
}

// Entry is one element of the policy's "plugins" list.
type Entry struct {
	// ID is a plugin id or a pattern in which "*" matches any run of
	// characters.
	ID string
	// Allow is false for an entry that blocks the plugins it matches.
	Allow bool
	// Versions is a semver constraint (">=1.2 <2"), "" for any.
	Versions string
	// MinVersion is the lowest version allowed, "" for none.
	MinVersion string
	// Pin is the only version allowed, "" for none.
	Pin string
	// Reason is the admin's text shown to users when the entry blocks.
	Reason string
	// Index is the entry's position in "plugins".
	Index int

	constraint *semver.Constraints
	min, pin   *semver.Version
}

// Rule names the entry for messages and [Decision.Rule]:
// `plugins[2] "com.example.*"`.
func (e *Entry) Rule() string { return fmt.Sprintf("plugins[%d] %q", e.Index, e.ID) }

// Ceilings are the resource limits an admin sets for every plugin. A zero
// field means no ceiling.
type Ceilings struct {
	// BackendTimeout caps the time one backend call may run.
	BackendTimeout time.Duration
	// BackendMemoryMB caps a backend's memory, in MiB.
	BackendMemoryMB int
	// InvokeRate caps a plugin's sustained invokes per second.
	InvokeRate int
	// StorageQuota caps a plugin's storage, in bytes.
	StorageQuota int64
}

// IsZero reports whether no ceiling is set.
func (c Ceilings) IsZero() bool { return c == Ceilings{} }

// Limits on policy values.
const (
	maxDescriptionLen = 1024
	maxReasonLen      = 512
	maxTimeoutMS      = 60000 // the largest timeout a manifest may ask for
	maxMemoryMB       = 4096  // a 32-bit WebAssembly memory
	maxInvokeRate     = 1000000
	maxStorageQuota   = 1 << 40
)

// Parse decodes and validates a policy file's contents. Unknown fields,
// duplicate keys, wrong types, null values, trailing data and bad values are
// errors matching ErrInvalid; each is an *Error naming the JSON path and,
// where known, the line and column. JSON-level problems stop at the first;
// value problems are all reported, joined with errors.Join.
func Parse(data []byte) (*Policy, error) {
	var f fileJSON
	pos, err := decode(data, &f)
	if err != nil {
		return nil, err
	}
	p, err := compile(&f)
	if err != nil {
		locate(err, data, pos)
		return nil, err
	}
	p.Source = "inline"
	for i := range p.hooks {
		p.hooks[i].Policy = p.Source
	}
	return p, nil
}

// compile validates the file and builds the Policy.
func compile(f *fileJSON) (*Policy, error) {
	var pr problems
	p := &Policy{description: f.Description, def: Action(f.Default), requireSig: f.RequireSignatures,
		netIso:    f.RequireNetworkIsolation != nil && *f.RequireNetworkIsolation,
		noDevMode: f.DeveloperMode != nil && !*f.DeveloperMode}
	if f.PolicyVersion != 1 {
		if f.PolicyVersion == 0 {
			pr.add("policy_version", "is required: write \"policy_version\": 1")
		} else {
			pr.add("policy_version", "must be 1, got %d; this Warden reads policy version 1", f.PolicyVersion)
		}
	}
	switch p.def {
	case Allow, Block:
	case "":
		pr.add("default", `is required: "allow" (plugins not listed may run) or "block" (only listed plugins may run)`)
	default:
		pr.add("default", `must be "allow" or "block", got %q`, f.Default)
	}
	if msg := checkText(f.Description, maxDescriptionLen); msg != "" {
		pr.add("description", "%s", msg)
	}
	p.keys = compileKeys(&pr, f.TrustedKeys)
	if p.requireSig && len(p.keys) == 0 {
		pr.add("require_signatures", "needs at least one key in trusted_keys: without one any key could sign")
	}
	p.blocked = compileBlocked(&pr, f.BlockedPermissions)
	p.ceilings = compileCeilings(&pr, f.Ceilings)
	p.entries = compileEntries(&pr, f.Plugins)
	p.hooks = compileHook(&pr, f.IsolationHook)
	if err := pr.err(); err != nil {
		return nil, err
	}
	return p, nil
}

func compileKeys(pr *problems, list []string) []TrustedKey {
	keys := make([]TrustedKey, 0, len(list))
	seen := make(map[KeyID]int)
	for i, s := range list {
		field := fmt.Sprintf("trusted_keys[%d]", i)
		k, err := ParseTrustedKey(s)
		if err != nil {
			pr.add(field, "%v", err)
			continue
		}
		if j, dup := seen[k.ID]; dup {
			pr.add(field, "key %s is already listed as trusted_keys[%d]", k.ID, j)
			continue
		}
		seen[k.ID] = i
		keys = append(keys, k)
	}
	return keys
}

func compileBlocked(pr *problems, list []string) []string {
	seen := make(map[string]int)
	for i, s := range list {
		field := fmt.Sprintf("blocked_permissions[%d]", i)
		if msg := checkPermission(s); msg != "" {
			pr.add(field, "%s", msg)
			continue
		}
		if j, dup := seen[s]; dup {
			pr.add(field, "%q is already listed as blocked_permissions[%d]", s, j)
		}
		seen[s] = i
	}
	return slices.Clone(list)
}

// checkPermission reports what is wrong with a blocked permission: it must
// be a catalog permission, "backend.<command>", "messaging:<plugin id>",
// or a pattern with "*".
func checkPermission(s string) string {
	if _, ok := permissions.Lookup(s); ok || permissions.ValidAppPermission(s) || permissions.ValidMessagingPermission(s) {
		return ""
	}
	if name, ok := strings.CutPrefix(s, permissions.BackendPrefix); ok && permissions.ValidCommand(name) {
		return ""
	}
	if isPattern(s) && len(s) <= maxIDLen {
		for _, r := range s {
			if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '.' && r != '_' && r != '-' && r != ':' && r != '*' {
				return fmt.Sprintf("pattern %q: use letters, digits, '.', '_', '-', ':' and \"*\"", s)
			}
		}
		return ""
	}
	return fmt.Sprintf("unknown permission %q; use one of %s, \"backend.<command>\", or a pattern with \"*\" such as \"fs.*\"", s, catalogNames())
}

func catalogNames() string {
	var names []string
	for _, e := range permissions.Catalog() {
		names = append(names, e.Name)
	}
	return strings.Join(names, ", ")
}

func compileCeilings(pr *problems, c *ceilingsJSON) Ceilings {
	var out Ceilings
	if c == nil {
		return out
	}
	check := func(field string, v *int64, hi int64, unit string) int64 {
		if v == nil {
			return 0
		}
		if *v < 1 || *v > hi {
			pr.add("ceilings."+field, "must be between 1 and %d %s, got %d; leave the field out for no ceiling", hi, unit, *v)
			return 0
		}
		return *v
	}
	out.BackendTimeout = time.Duration(check("backend_timeout_ms", c.BackendTimeoutMS, maxTimeoutMS, "milliseconds")) * time.Millisecond
	out.BackendMemoryMB = int(check("backend_memory_mb", c.BackendMemoryMB, maxMemoryMB, "MiB"))
	out.InvokeRate = int(check("invoke_rate", c.InvokeRate, maxInvokeRate, "invokes per second"))
	out.StorageQuota = check("storage_quota_bytes", c.StorageQuotaBytes, maxStorageQuota, "bytes")
	return out
}

func compileEntries(pr *problems, list []entryJSON) []Entry {
	entries := make([]Entry, 0, len(list))
	seen := make(map[string]int)
	for i, ej := range list {
		field := fmt.Sprintf("plugins[%d]", i)
		e := Entry{ID: ej.ID, Allow: ej.Allow == nil || *ej.Allow, Versions: ej.Versions,
			MinVersion: ej.MinVersion, Pin: ej.Pin, Reason: ej.Reason, Index: i}
		n := len(*pr)
		if msg := checkIDPattern(ej.ID); msg != "" {
			pr.add(field+".id", "%s", msg)
		} else if j, dup := seen[ej.ID]; dup {
			pr.add(field+".id", "%q is already listed as plugins[%d]; merge the two entries", ej.ID, j)
		} else {
			seen[ej.ID] = i
		}
		if msg := checkText(ej.Reason, maxReasonLen); msg != "" {
			pr.add(field+".reason", "%s", msg)
		}
		if !e.Allow && (e.Versions != "" || e.MinVersion != "" || e.Pin != "") {
			pr.add(field, `an entry with "allow": false blocks every version; remove versions, min_version and pin, or allow the plugin`)
		}
		compileVersions(pr, field, &e)
		if len(*pr) == n {
			entries = append(entries, e)
		}
	}
	return entries
}

// compileVersions parses an entry's version rules and refuses rules that
// contradict each other, since such an entry would allow no version at all.
func compileVersions(pr *problems, field string, e *Entry) {
	var err error
	if e.Versions != "" {
		if e.constraint, err = semver.NewConstraint(e.Versions); err != nil {
			pr.add(field+".versions", "invalid semver constraint %q: %v; write a range such as \">=1.2 <2\" or \"^1.4\"", e.Versions, err)
		}
	}
	if e.MinVersion != "" {
		if e.min, err = semver.NewVersion(e.MinVersion); err != nil {
			pr.add(field+".min_version", "invalid version %q: %v; write a version such as \"1.2.0\"", e.MinVersion, err)
		}
	}
	if e.Pin != "" {
		if e.pin, err = semver.NewVersion(e.Pin); err != nil {
			pr.add(field+".pin", "invalid version %q: %v; write an exact version such as \"1.4.2\"", e.Pin, err)
			return
		}
		if e.constraint != nil && !e.constraint.Check(e.pin) {
			pr.add(field+".pin", "%s is outside versions %q, so no version could run; fix one of them", e.Pin, e.Versions)
		}
		if e.min != nil && e.pin.LessThan(e.min) {
			pr.add(field+".pin", "%s is below min_version %s, so no version could run; fix one of them", e.Pin, e.MinVersion)
		}
	}
}

// checkText reports what is wrong with admin text shown to users.
func checkText(s string, maxLen int) string {
	n := 0
	for _, r := range s {
		n++
		if r < 0x20 || r == 0x7f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return fmt.Sprintf("must not contain control characters, got %q", r)
		}
	}
	if n > maxLen {
		return fmt.Sprintf("must be at most %d characters, got %d", maxLen, n)
	}
	return ""
}

// Default returns what happens to plugins no entry matches.
func (p *Policy) Default() Action {
	if p == nil || p.def == "" {
		return Allow
	}
	return p.def
}

// Description returns the admin's free text from "description".
func (p *Policy) Description() string {
	if p == nil {
		return ""
	}
	return p.description
}

// RequireSignatures reports whether bundles must be signed by a trusted key.
func (p *Policy) RequireSignatures() bool { return p != nil && p.requireSig }

// RequireNetworkIsolation reports whether every plugin's webview process
// must run without network access (in an empty network namespace); a
// plugin whose process cannot be isolated that way must not start. It is
// false for the nil policy and when the file leaves the field out.
func (p *Policy) RequireNetworkIsolation() bool { return p != nil && p.netIso }

// DeveloperMode reports whether plugins may be loaded from source
// directories (warden call <dir>, warden open <dir>) rather than from the
// store of installed plugins. It is true for the nil policy and when the
// file leaves the field out.
func (p *Policy) DeveloperMode() bool { return p == nil || !p.noDevMode }

// TrustedKeys returns the trusted publisher keys, in file order, as a fresh
// slice.
func (p *Policy) TrustedKeys() []TrustedKey {
	if p == nil {
		return nil
	}
	return slices.Clone(p.keys)
}

// TrustedKey returns the trusted key with the given id (any case).
func (p *Policy) TrustedKey(id string) (TrustedKey, bool) {
	if p == nil {
		return TrustedKey{}, false
	}
	kid, err := ParseKeyID(id)
	if err != nil {
		return TrustedKey{}, false
	}
	for _, k := range p.keys {
		if k.ID == kid {
			return k, true
		}
	}
	return TrustedKey{}, false
}

// BlockedPermissions returns the blocked permission names and patterns as a
// fresh slice.
func (p *Policy) BlockedPermissions() []string {
	if p == nil {
		return nil
	}
	return slices.Clone(p.blocked)
}

// PermissionCeiling returns the blocked permissions in the form the
// permission check applies at every invoke.
func (p *Policy) PermissionCeiling() permissions.Ceiling {
	return permissions.Ceiling{Blocked: p.BlockedPermissions()}
}

// Ceilings returns the resource ceilings; zero fields mean no ceiling.
func (p *Policy) Ceilings() Ceilings {
	if p == nil {
		return Ceilings{}
	}
	return p.ceilings
}

// Entries returns the "plugins" entries, in file order, as a fresh slice;
// nil for a [Combine]d policy, whose entries are in its [Policy.Layers].
func (p *Policy) Entries() []Entry {
	if p == nil {
		return nil
	}
	return slices.Clone(p.entries)
}

// Warnings returns sentences about settings that are valid but probably not
// what the admin meant.
func (p *Policy) Warnings() []string {
	if p == nil {
		return nil
	}
	if len(p.layers) > 0 {
		return p.layersWarnings()
	}
	var w []string
	if p.requireSig && !p.noDevMode {
		w = append(w, "require_signatures is true but developer_mode is not false: plugins run from a source directory (warden call, warden open) are unsigned and still run; set \"developer_mode\": false to allow only signed, installed plugins")
	}
	if len(p.keys) > 0 && !p.requireSig {
		w = append(w, "trusted_keys are listed but require_signatures is false: unsigned bundles and bundles signed by any key are accepted")
	}
	if p.def == Block && !slices.ContainsFunc(p.entries, func(e Entry) bool { return e.Allow }) {
		w = append(w, `default is "block" and no entry allows a plugin: every plugin is blocked`)
	}
	return w
}
