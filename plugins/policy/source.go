package policy

import "fmt"

// CheckSource decides whether a plugin may run from its source directory
// (developer mode: warden call <dir>, warden open <dir>) rather than from
// the store of installed plugins. With developer mode off in any layer it
// refuses with ErrDeveloperModeOff. Otherwise the plugin is held to every
// rule of [Policy.Check] that applies to a manifest on disk: the entry or
// default, the version rules for the manifest's version and the blocked
// permissions. Signatures are not looked at, since a source directory is
// never signed; an admin who requires signed plugins turns developer mode
// off. It costs what Check costs.
func (p *Policy) CheckSource(c Candidate) Decision {
	if !p.DeveloperMode() {
		return deny(ErrDeveloperModeOff, "developer_mode", fmt.Sprintf("the policy %s sets \"developer_mode\": false, so plugins run only once installed (warden install), never from a source directory; %s was not run", p.devModeSetter(), c.ID))
	}
	c.Signed, c.SignerKeyID = false, ""
	return p.unsigned().Check(c)
}

// devModeSetter names the file whose "developer_mode": false is in force.
func (p *Policy) devModeSetter() string {
	for _, l := range p.layers {
		if l.noDevMode {
			return l.devModeSetter()
		}
	}
	return p.layerName()
}

// unsigned returns a copy of p, and of its layers, that does not require
// signatures. Slices are shared: a Policy is never changed once built.
func (p *Policy) unsigned() *Policy {
	if p == nil {
		return nil
	}
	q := *p
	q.requireSig = false
	if len(p.layers) > 0 {
		q.layers = make([]*Policy, len(p.layers))
		for i, l := range p.layers {
			q.layers[i] = l.unsigned()
		}
	}
	return &q
}
