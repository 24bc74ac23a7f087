package manager

import (
	"context"

	"github.com/wardenhq/warden/manifest"
	"github.com/wardenhq/warden/permissions"
)

// Permission is one permission shown at consent time.
type Permission struct {
	Name        string
	Description string
	// Scopes are the folders or sites it is limited to, when it has any.
	Scopes []string
	// Reason is why the plugin's author says it needs the permission
	// (the manifest's "reasons"), empty when the author gives none. It is
	// the author's text, not Warden's: show it verbatim and as the
	// author's words.
	Reason string
	// ScopeReasons are the author's reasons for some of Scopes, by scope.
	ScopeReasons map[string]string
}

// ConsentRequest is what the user is asked to approve before an install.
type ConsentRequest struct {
	ID, Name, Version, Publisher string
	// Signer describes the signature check: who verified it, or why the
	// bundle counts as unsigned.
	Signer string
	// Replaces, when set, names the installed version this one replaces
	// although another publisher signed it: the user is trusting a new
	// publisher, who also gets the plugin's stored data.
	Replaces string
	// Update, when set, is the installed version this one updates
	// (InstallOptions.Review): Permissions are then only those the update
	// adds, and Optional the optional ones not granted.
	Update string
	// Permissions need the user's consent; empty means the plugin asks
	// for none (Consent is still called, so the user sees what is
	// installed).
	Permissions []Permission
	// Optional permissions are asked for at runtime, listed for
	// information.
	Optional []Permission
}

// Consent asks the user and returns nil when every permission in req is
// approved; any error (ErrConsentRefused for a "no") stops the install with
// nothing left behind. The CLI prompts on a terminal or takes --grant flags.
type Consent func(ctx context.Context, req ConsentRequest) error

// describe returns the consent text of each permission: the catalog's,
// or for an application permission ("app.*") the application's
// (Options.Describe), with its scopes and the author's reasons from mf.
func (m *Manager) describe(names []string, mf *manifest.Manifest) []Permission {
	sc := scopes(mf)
	out := make([]Permission, 0, len(names))
	for _, n := range names {
		p := Permission{Name: n, Scopes: sc[n]}
		p.Reason, _ = mf.Reason(n)
		for _, s := range p.Scopes {
			if r, ok := mf.Reason(s); ok {
				if p.ScopeReasons == nil {
					p.ScopeReasons = make(map[string]string)
				}
				p.ScopeReasons[s] = r
			}
		}
		if e, ok := permissions.Lookup(n); ok {
			p.Description = e.Description
		} else if m.opts.Describe != nil {
			if e, ok := m.opts.Describe(n); ok {
				p.Description = e.Description
			}
		}
		if p.Description == "" && permissions.ValidAppPermission(n) {
			p.Description = "Use a capability of the application that embeds Warden, which this application does not offer"
		}
		out = append(out, p)
	}
	return out
}
