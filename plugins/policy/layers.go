package policy

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Combine returns the policy in force when the admin's managed policy (the
// file at [DefaultPath]) and a policy the user chose (--policy or
// $WARDEN_POLICY) both apply. The user's layer can only add restrictions,
// never lift one, so no user file loosens what the admin decided:
//
//   - a plugin version must be allowed by both layers ([Policy.Check],
//     [Policy.AllowsVersion] and [Policy.Pick] ask each layer, managed
//     first, and the first refusal decides);
//   - blocked permissions are the union of both lists;
//   - each ceiling is the lower of the two (a ceiling only one layer sets
//     applies as set);
//   - signatures are required if either layer requires them, and then a
//     signer must be trusted by every layer that requires signatures: the
//     trusted keys are those listed, with the same public key, in each such
//     layer (with no layer requiring signatures, keys only help verify a
//     bundle and both lists are used);
//   - the default is "block" if either layer says so;
//   - network isolation is required if either layer requires it, and
//     developer mode is off if either layer turns it off;
//   - isolation hooks add up: the managed layer's hook always runs, and a
//     hook the user's layer names runs too ([Hook.User]), seeing each
//     request before the managed hook, which decides last on what is
//     sealed. A user's hook can refuse more, never less: it cannot replace
//     or remove the managed one (see [Policy.IsolationHooks]).
//
// A missing layer adds nothing. With user nil, Combine returns managed
// itself; a nil managed is taken as no managed policy. The result keeps
// both layers for [Policy.Layers] and [Policy.Explain]; its own
// [Policy.Entries] is empty, since each layer's entries apply only within
// that layer. It costs one pass
// over each layer's keys and blocked permissions.
func Combine(managed, user *Policy) *Policy {
	if user == nil {
		return managed
	}
	if managed == nil {
		managed = missingPolicy(DefaultPath)
	}
	c := &Policy{
		Path:        managed.Path,
		Missing:     managed.Missing && user.Missing,
		description: managed.description,
		def:         Allow,
		layers:      []*Policy{managed, user},
	}
	c.Source = fmt.Sprintf("managed %s, plus %s (which can only add restrictions)", managed.layerName(), user.layerName())
	var active []*Policy
	for _, l := range c.layers {
		if !l.Missing {
			active = append(active, l)
		}
	}
	for _, l := range active {
		if l.def == Block {
			c.def = Block
		}
		c.requireSig = c.requireSig || l.requireSig
		c.netIso = c.netIso || l.netIso
		c.noDevMode = c.noDevMode || l.noDevMode
		for _, b := range l.blocked {
			if !slices.Contains(c.blocked, b) {
				c.blocked = append(c.blocked, b)
			}
		}
		c.ceilings = c.ceilings.stricter(l.ceilings)
		if c.broken == "" {
			c.broken = l.broken
		}
	}
	c.keys = combineKeys(active)
	for _, h := range managed.hooks {
		h.User = false
		c.hooks = append(c.hooks, h)
	}
	for _, h := range user.hooks {
		h.User = true
		c.hooks = append(c.hooks, h)
	}
	return c
}

// Layers returns the policies a [Combine]d policy was made of, managed
// first, or nil for a policy read from one file.
func (p *Policy) Layers() []*Policy {
	if p == nil {
		return nil
	}
	return slices.Clone(p.layers)
}

// layerName names a layer in rules and explanations: its file, or its
// Source when it has none.
func (p *Policy) layerName() string {
	if p.Path != "" {
		return p.Path
	}
	return p.Source
}

// stricter returns the lower of each pair of ceilings, a zero (no ceiling)
// giving way to any set value.
func (c Ceilings) stricter(o Ceilings) Ceilings {
	low := func(a, b int64) int64 {
		switch {
		case a == 0:
			return b
		case b == 0:
			return a
		}
		return min(a, b)
	}
	return Ceilings{
		BackendTimeout:  time.Duration(low(int64(c.BackendTimeout), int64(o.BackendTimeout))),
		BackendMemoryMB: int(low(int64(c.BackendMemoryMB), int64(o.BackendMemoryMB))),
		InvokeRate:      int(low(int64(c.InvokeRate), int64(o.InvokeRate))),
		StorageQuota:    low(c.StorageQuota, o.StorageQuota),
	}
}

// combineKeys returns the keys a combined policy trusts: with a layer that
// requires signatures, the keys every such layer lists with the same public
// key, so that a layer which adds keys cannot make the admin trust a
// publisher; otherwise every key listed, for verifying bundles.
func combineKeys(layers []*Policy) []TrustedKey {
	var requiring []*Policy
	for _, l := range layers {
		if l.requireSig {
			requiring = append(requiring, l)
		}
	}
	var keys []TrustedKey
	if len(requiring) == 0 {
		for _, l := range layers {
			for _, k := range l.keys {
				if !slices.Contains(keys, k) {
					keys = append(keys, k)
				}
			}
		}
		return keys
	}
	for _, k := range requiring[0].keys {
		if !slices.ContainsFunc(requiring[1:], func(l *Policy) bool { return !slices.Contains(l.keys, k) }) {
			keys = append(keys, k)
		}
	}
	return keys
}

// checkLayers is [Policy.Check] for a combined policy: every layer must
// allow, and when more than one layer is in force a refusal names the
// layer's file in its rule. With one file in force its decision stands as
// it is.
func (p *Policy) checkLayers(c Candidate) Decision {
	var active []*Policy
	for _, l := range p.layers {
		if !l.Missing {
			active = append(active, l)
		}
	}
	if len(active) < 2 {
		if len(active) == 0 {
			return Decision{Allowed: true, Rule: "no policy", Reason: "no admin policy is in force"}
		}
		return active[0].Check(c)
	}
	var rules []string
	for _, l := range p.layers {
		d := l.Check(c)
		if !d.Allowed {
			d.Rule += " in " + l.layerName()
			return d
		}
		if !l.Missing {
			rules = append(rules, d.Rule+" in "+l.layerName())
		}
	}
	if len(rules) == 0 {
		return Decision{Allowed: true, Rule: "no policy", Reason: "no admin policy is in force"}
	}
	return Decision{Allowed: true, Rule: strings.Join(rules, ", "), Reason: fmt.Sprintf("%s is allowed by %s", c.ID, strings.Join(rules, " and "))}
}

// layersWarnings returns each layer's warnings, naming the layer, and says
// when the layers together trust no key although one requires signatures.
func (p *Policy) layersWarnings() []string {
	var w []string
	for _, l := range p.layers {
		for _, s := range l.Warnings() {
			w = append(w, l.layerName()+": "+s)
		}
	}
	if p.requireSig && len(p.keys) == 0 {
		w = append(w, "no publisher key is trusted by every policy that requires signatures: no bundle can be installed")
	}
	return w
}
