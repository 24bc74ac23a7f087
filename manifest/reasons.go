package manifest

import (
	"maps"
	"slices"

	"github.com/wardenhq/warden/internal/strictjson"
	"github.com/wardenhq/warden/permissions"
)

// MaxReasonLen bounds one reason, in characters: a sentence, short enough
// to read at a consent prompt.
const MaxReasonLen = 200

// Reason returns the author's reason for key, a permission name or a scope
// pattern, and whether the manifest gives one.
func (m *Manifest) Reason(key string) (string, bool) {
	r, ok := m.Reasons[key]
	return r, ok
}

// reasonKeys returns what a reason may be given for: the permissions shown
// at consent (declared, optional or implied by a scope, implicit ones
// excepted) and every declared scope pattern.
func (m *Manifest) reasonKeys() map[string]bool {
	keys := make(map[string]bool)
	for _, p := range m.declaredPermissions() {
		if e, ok := permissions.Lookup(p); !ok || !e.Implicit {
			keys[p] = true
		}
	}
	if m.FS != nil {
		for _, s := range slices.Concat(m.FS.Read, m.FS.Write) {
			keys[s] = true
		}
	}
	for _, s := range m.HTTP {
		keys[s] = true
	}
	return keys
}

// checkReasons checks every reason's key against the declarations and its
// text like the other words shown at consent. Keys are checked in sorted
// order so that the errors come out the same every time.
func (m *Manifest) checkReasons(p *problems) {
	if len(m.Reasons) == 0 {
		return
	}
	keys := m.reasonKeys()
	dev := m.devScopeSet()
	for _, k := range slices.Sorted(maps.Keys(m.Reasons)) {
		f := strictjson.JoinKey("reasons", k)
		e, known := permissions.Lookup(k)
		switch {
		case keys[k]:
			checkText(p, f, m.Reasons[k], 1, MaxReasonLen, false)
		case dev[k]:
			p.add(f, "%q is a dev scope, which consent never shows; remove its reason", k)
		case known && e.Implicit:
			p.add(f, "%q needs no consent, so its reason would never be shown; remove it", k)
		default:
			p.add(f, "%q is neither a declared permission nor a declared scope: a key must be listed in \"permissions\" or \"optional_permissions\", or be a pattern from \"http\", \"fs.read\" or \"fs.write\"", k)
		}
	}
}

// devScopeSet returns every dev scope pattern.
func (m *Manifest) devScopeSet() map[string]bool {
	out := make(map[string]bool)
	if d := m.DevScopes; d != nil {
		for _, s := range d.HTTP {
			out[s] = true
		}
		if d.FS != nil {
			for _, s := range slices.Concat(d.FS.Read, d.FS.Write) {
				out[s] = true
			}
		}
	}
	return out
}
