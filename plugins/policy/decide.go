package policy

import (
	"fmt"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// Candidate is a plugin version about to be installed, updated or run.
type Candidate struct {
	// ID is the plugin id from the manifest.
	ID string
	// Version is the plugin version; "" skips the version rules (to ask
	// whether a plugin may run at all).
	Version string
	// Permissions are every permission the plugin may use: the manifest's
	// permissions, optional permissions and backend commands.
	Permissions []string
	// Signed reports that the bundle's signature was verified with
	// SignerKey.
	Signed bool
	// SignerKey is the full public key that verified the signature: the
	// base64 line of a minisign .pub file, as trusted_keys lists keys.
	// Under require_signatures a candidate is trusted only when this key
	// is one of trusted_keys, compared in full: a key id alone never
	// suffices, since a key's maker picks its id.
	SignerKey string
	// SignerKeyID is the id of the key that signed it, as minisign prints
	// it (any case), for messages only.
	SignerKeyID string
}

// Decision is the policy's answer for a candidate.
type Decision struct {
	// Allowed is true when every rule allows the candidate.
	Allowed bool
	// Reason is a sentence for the user: why it is allowed or blocked,
	// including the admin's reason when the entry has one.
	Reason string
	// Rule names what decided: `plugins[2] "com.example.*"`, "default",
	// "require_signatures", "trusted_keys", "blocked_permissions[1]",
	// "no policy" or "invalid policy file".
	Rule string

	err error // the sentinel for a denial
}

// Err returns nil when the decision allows, or an error wrapping the
// sentinel of the rule that denied (ErrBlocked, ErrVersionNotAllowed,
// ErrUnsigned, ErrUntrustedPublisher or ErrPermissionBlocked) with the
// reason.
func (d *Decision) Err() error {
	if d.Allowed {
		return nil
	}
	sentinel := d.err
	if sentinel == nil {
		sentinel = ErrBlocked
	}
	return fmt.Errorf("%w: %s (policy rule %s)", sentinel, d.Reason, d.Rule)
}

// EntryFor returns the entry that applies to id: among the entries whose id
// matches, an exact id wins over every pattern, a pattern with more literal
// (non-"*") characters wins over one with fewer, and the earlier entry wins
// a tie. It costs one pattern match per entry.
func (p *Policy) EntryFor(id string) (Entry, bool) {
	if e := p.entry(id); e != nil {
		return *e, true
	}
	return Entry{}, false
}

func (p *Policy) entry(id string) *Entry {
	if p == nil {
		return nil
	}
	var best *Entry
	bestRank := -1
	for i := range p.entries {
		e := &p.entries[i]
		if r := specificity(e.ID); r > bestRank && matchID(e.ID, id) {
			best, bestRank = e, r
		}
	}
	return best
}

// Check decides whether the candidate may be installed and run. Rules are
// checked in this order and the first that denies decides: the matching
// entry or the default, the entry's version rules, signatures, blocked
// permissions. It costs one pattern match per entry and per blocked
// permission.
func (p *Policy) Check(c Candidate) Decision {
	if p != nil && len(p.layers) > 0 {
		return p.checkLayers(c)
	}
	if p == nil || p.Missing {
		return Decision{Allowed: true, Rule: "no policy", Reason: "no admin policy is in force"}
	}
	e := p.entry(c.ID)
	if d, ok := p.checkEntry(e, c.ID); !ok {
		return d
	}
	if c.Version != "" && e != nil {
		if why := e.versionProblem(c.Version); why != "" {
			return deny(ErrVersionNotAllowed, e.Rule(), withReason(fmt.Sprintf("%s %s is not allowed: %s", c.ID, c.Version, why), e.Reason))
		}
	}
	if p.requireSig {
		if !c.Signed {
			return deny(ErrUnsigned, "require_signatures", fmt.Sprintf("%s is not signed and the admin policy requires bundles signed by a trusted publisher", c.ID))
		}
		if why := p.untrustedSigner(c); why != "" {
			return deny(ErrUntrustedPublisher, "trusted_keys", fmt.Sprintf("%s is signed by %s, which is not one of the admin's trusted publisher keys (%s)", c.ID, why, p.keyList()))
		}
	}
	for _, perm := range c.Permissions {
		for i, b := range p.blocked {
			if matchID(b, perm) {
				return deny(ErrPermissionBlocked, fmt.Sprintf("blocked_permissions[%d]", i), fmt.Sprintf("%s asks for permission %q, which the admin policy blocks", c.ID, perm))
			}
		}
	}
	rule, reason := "default", fmt.Sprintf("%s is allowed: the default is allow and no entry matches", c.ID)
	if e != nil {
		rule, reason = e.Rule(), fmt.Sprintf("%s is allowed by %s", c.ID, e.Rule())
	}
	return Decision{Allowed: true, Rule: rule, Reason: reason}
}

// checkEntry applies the entry's allow flag or, with no entry, the default.
func (p *Policy) checkEntry(e *Entry, id string) (Decision, bool) {
	switch {
	case p.broken != "":
		return deny(ErrBlocked, "invalid policy file", p.broken), false
	case e != nil && !e.Allow:
		return deny(ErrBlocked, e.Rule(), withReason(fmt.Sprintf("the admin policy blocks %s", id), e.Reason)), false
	case e == nil && p.def == Block:
		return deny(ErrBlocked, "default", fmt.Sprintf("the admin policy allows only listed plugins and %s is not listed", id)), false
	}
	return Decision{}, true
}

// versionProblem says why the entry's version rules refuse version, or "".
func (e *Entry) versionProblem(version string) string {
	if e.constraint == nil && e.min == nil && e.pin == nil {
		return ""
	}
	v, err := semver.NewVersion(version)
	if err != nil {
		return fmt.Sprintf("%q is not a semantic version", version)
	}
	switch {
	case e.pin != nil && !v.Equal(e.pin):
		return "the admin pinned version " + e.Pin
	case e.min != nil && v.LessThan(e.min):
		return "the admin requires at least version " + e.MinVersion
	case e.constraint != nil && !e.constraint.Check(v):
		return "the admin allows only versions " + e.Versions
	}
	return ""
}

func deny(sentinel error, rule, reason string) Decision {
	return Decision{Rule: rule, Reason: reason, err: sentinel}
}

// withReason appends the admin's reason, when there is one.
func withReason(s, admin string) string {
	if admin == "" {
		return s
	}
	return s + ": " + admin
}

func displayKey(id string) string {
	if id == "" {
		return "(none)"
	}
	return strings.ToUpper(id)
}

func (p *Policy) keyList() string {
	ids := make([]string, len(p.keys))
	for i, k := range p.keys {
		ids[i] = string(k.ID)
	}
	return strings.Join(ids, ", ")
}
