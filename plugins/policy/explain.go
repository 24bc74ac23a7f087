package policy

import (
	"fmt"
	"strings"
)

// Explain returns lines for a person saying how the policy treats plugin id:
// where the policy came from, which entry matched and which others also
// matched, whether the plugin may run, the versions allowed, the signature
// requirement, the blocked permissions, the ceilings, network isolation and
// developer mode. For a [Combine]d policy it explains each layer, indented
// under a heading, then what is in force.
func (p *Policy) Explain(id string) []string {
	if p != nil && len(p.layers) > 0 {
		return p.explainLayers(id)
	}
	if p == nil || p.Missing {
		src := "none"
		if p != nil {
			src = p.Source
		}
		return []string{
			"policy: " + src,
			"allowed: yes, any version",
			"signatures: not required",
			"blocked permissions: none",
			"ceilings: none",
			p.networkLine(),
			p.developerLine(),
		}
	}
	lines := []string{"policy: " + p.Source}
	e := p.entry(id)
	if e == nil {
		lines = append(lines, fmt.Sprintf("entry: none matches %s; the default is %s", id, p.def))
	} else {
		line := "entry: " + e.Rule()
		if others := p.shadowed(id, e); len(others) > 0 {
			line += fmt.Sprintf(" (most specific; also matching: %s)", strings.Join(others, ", "))
		}
		lines = append(lines, line)
	}
	if d, ok := p.checkEntry(e, id); !ok {
		lines = append(lines, "allowed: no, "+d.Reason)
	} else {
		lines = append(lines, "allowed: yes, "+e.describeVersions())
	}
	if p.requireSig {
		lines = append(lines, "signatures: required, by one of the trusted publisher keys "+p.keyList())
	} else {
		lines = append(lines, "signatures: not required")
	}
	if len(p.blocked) > 0 {
		lines = append(lines, "blocked permissions: "+strings.Join(p.blocked, ", "))
	} else {
		lines = append(lines, "blocked permissions: none")
	}
	lines = append(lines, "ceilings: "+p.ceilings.String(), p.networkLine(), p.developerLine())
	if len(p.hooks) > 0 {
		h := p.hooks[0]
		lines = append(lines, fmt.Sprintf("isolation hook: %s (sha256 %s), run in every plugin window on each request its page sends", h.Path, h.Pin()))
	}
	return lines
}

// hookLines says which isolation hooks of a combined policy run, in the
// order they see a request; nothing when there is none, so policies
// without a hook read as before.
func (p *Policy) hookLines() []string {
	if len(p.hooks) == 0 {
		return nil
	}
	// In the order they see a request: the user's first, the admin's last.
	var parts []string
	for _, user := range []bool{true, false} {
		for _, h := range p.hooks {
			if h.User != user {
				continue
			}
			who := "the admin's, decides last"
			if h.User {
				who = "the user's, sees each request first"
			}
			parts = append(parts, fmt.Sprintf("%s (sha256 %s; %s)", h.Path, h.Pin(), who))
		}
	}
	return []string{"isolation hooks: " + strings.Join(parts, ", then ") + "; run in every plugin window on each request its page sends"}
}

func (p *Policy) networkLine() string {
	if p.RequireNetworkIsolation() {
		return "network isolation: required, a plugin whose webview process cannot be cut off from the network does not start"
	}
	return "network isolation: not required"
}

func (p *Policy) developerLine() string {
	if p.DeveloperMode() {
		return "developer mode: on, plugins may also run from source directories (still under this policy)"
	}
	return "developer mode: off, plugins run only from the installed store"
}

// explainLayers is Explain for a combined policy.
func (p *Policy) explainLayers(id string) []string {
	lines := []string{"policy: " + p.Source}
	for i, l := range p.layers {
		head := "managed policy (always applies):"
		if i > 0 {
			head = "user policy (can only add restrictions):"
		}
		lines = append(lines, head)
		for _, s := range l.Explain(id) {
			lines = append(lines, "  "+s)
		}
	}
	lines = append(lines, "in force (a plugin must be allowed by every policy; the stricter setting wins):")
	ok, text := p.allowance(id)
	allowed := "  allowed: yes, " + text
	if !ok {
		allowed = "  allowed: no, " + text
	}
	lines = append(lines, allowed)
	switch {
	case !p.requireSig:
		lines = append(lines, "  signatures: not required")
	case len(p.keys) == 0:
		lines = append(lines, "  signatures: required, and no key is trusted by every policy that requires them, so no bundle can be installed")
	default:
		lines = append(lines, "  signatures: required, by one of the keys every policy that requires them trusts: "+p.keyList())
	}
	blocked := "none"
	if len(p.blocked) > 0 {
		blocked = strings.Join(p.blocked, ", ")
	}
	lines = append(lines, "  blocked permissions: "+blocked, "  ceilings: "+p.ceilings.String(), "  "+p.networkLine(), "  "+p.developerLine())
	for _, s := range p.hookLines() {
		lines = append(lines, "  "+s)
	}
	return lines
}

// allowance says whether plugin id may run at all and, if so, which
// versions; for a combined policy every layer must allow it.
func (p *Policy) allowance(id string) (bool, string) {
	switch {
	case p == nil || p.Missing:
		return true, "any version"
	case len(p.layers) > 0:
		var parts []string
		for _, l := range p.layers {
			ok, text := l.allowance(id)
			if !ok {
				return false, text + " (" + l.layerName() + ")"
			}
			if text != "any version" {
				parts = append(parts, text+" ("+l.layerName()+")")
			}
		}
		if len(parts) == 0 {
			return true, "any version"
		}
		return true, strings.Join(parts, " and ")
	}
	e := p.entry(id)
	if d, ok := p.checkEntry(e, id); !ok {
		return false, d.Reason
	}
	return true, e.describeVersions()
}

// shadowed returns the rules of the other entries matching id.
func (p *Policy) shadowed(id string, winner *Entry) []string {
	var out []string
	for i := range p.entries {
		if e := &p.entries[i]; e != winner && matchID(e.ID, id) {
			out = append(out, e.Rule())
		}
	}
	return out
}

// describeVersions says which versions an allowing entry (or no entry)
// lets run.
func (e *Entry) describeVersions() string {
	if e == nil || (e.constraint == nil && e.min == nil && e.pin == nil) {
		return "any version"
	}
	var parts []string
	if e.pin != nil {
		parts = append(parts, "only version "+e.Pin)
	}
	if e.constraint != nil {
		parts = append(parts, "versions "+e.Versions)
	}
	if e.min != nil {
		parts = append(parts, "at least "+e.MinVersion)
	}
	return strings.Join(parts, ", ")
}

// String renders the ceilings as "backend timeout 5s, backend memory 128
// MiB, 500 invokes/s, storage 1048576 bytes", or "none".
func (c Ceilings) String() string {
	var parts []string
	if c.BackendTimeout > 0 {
		parts = append(parts, "backend timeout "+c.BackendTimeout.String())
	}
	if c.BackendMemoryMB > 0 {
		parts = append(parts, fmt.Sprintf("backend memory %d MiB", c.BackendMemoryMB))
	}
	if c.InvokeRate > 0 {
		parts = append(parts, fmt.Sprintf("%d invokes/s", c.InvokeRate))
	}
	if c.StorageQuota > 0 {
		parts = append(parts, fmt.Sprintf("storage %d bytes", c.StorageQuota))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
