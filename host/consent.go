package host

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wardenhq/warden/permissions"
)

// Run-time consent: a plugin asks, from its page and within the user's own
// click or key press, for permissions its manifest lists under
// "optional_permissions" (permissions.request). The core answers from what
// it knows when it can: granted already, refused by the admin's ceiling, or
// refused by the user before. Otherwise the page's window asks the user in
// a dialog Warden draws (Desktop.AskConsent), and the answer is applied to
// the running plugin at once and remembered through Options.Consents.
//
// The three answers a dialog can give differ on purpose: "Allow" grants
// and is remembered; "Don't allow" refuses and is remembered, so that a
// plugin cannot pester the user with the same question; closing the dialog
// refuses this once and remembers nothing. Nothing is granted by closing.

// maxConsentAsk bounds the permissions one request may name.
const maxConsentAsk = 16

// ConsentMemory keeps the user's answers to plugins' run-time permission
// requests beyond the plugin's load: package warden records them in the
// plugin's installed record (plugins/manager.RememberConsent), read back
// at the next load as LoadOptions.Grants and LoadOptions.Denied.
type ConsentMemory interface {
	// RememberConsent records that the user allowed (allow true) or
	// refused perms for plugin id. When it fails the answer is not
	// applied: a grant that would vanish at the next start is no grant.
	RememberConsent(ctx context.Context, id string, perms []string, allow bool) error
}

// ConsentDialogs offers a place to ask the user for run-time consent other
// than the page's own window.
type ConsentDialogs interface {
	// ConsentDialog returns a function that asks the user, or nil when
	// there is no such place now (the page's window then asks).
	ConsentDialog() func(ctx context.Context, pluginID string, p ConsentPrompt) (ConsentAnswer, error)
}

// ConsentPrompt is the question a window shows the user for a plugin's
// run-time permission request. Every word of it comes from the core: the
// plugin's name and publisher from its manifest, Warden's own consent text
// for each permission, and the author's reason from the manifest, marked as
// the author's.
type ConsentPrompt struct {
	// Title is the dialog's title.
	Title string
	// Text is the question ("Allow “Notes” by Acme to:").
	Text string
	// Detail lists what each permission allows and the author's reasons.
	Detail string
}

// ConsentAnswer is what the user did with a ConsentPrompt.
type ConsentAnswer int

const (
	// ConsentDismissed: the user closed the dialog without answering.
	// Nothing is granted and nothing remembered.
	ConsentDismissed ConsentAnswer = iota
	// ConsentAllowed: the user pressed "Allow".
	ConsentAllowed
	// ConsentDenied: the user pressed "Don't allow".
	ConsentDenied
)

// permissionsArgs are the arguments of permissions.request and
// permissions.contains, shaped as Chrome's chrome.permissions.request.
type permissionsArgs struct {
	Permissions []string `json:"permissions"`
}

// permissionsResult is their result.
type permissionsResult struct {
	Granted bool `json:"granted"`
}

// permissionsContains reports whether every permission named is granted
// now. It asks nobody.
func (h *Host) permissionsContains(_ context.Context, c *Call) ([]byte, error) {
	perms, err := consentArgs(c)
	if err != nil {
		return nil, err
	}
	granted := true
	c.Plugin.consent.Lock()
	for _, p := range perms {
		if _, ok := c.Plugin.grants[p]; !ok || !c.Plugin.ceiling.Allows(p) {
			granted = false
		}
	}
	c.Plugin.consent.Unlock()
	return json.Marshal(permissionsResult{Granted: granted})
}

// permissionsRequest asks the user for optional permissions, within a user
// gesture in the page's window, and answers whether they are all granted.
func (h *Host) permissionsRequest(ctx context.Context, c *Call) ([]byte, error) {
	perms, err := consentArgs(c)
	if err != nil {
		return nil, err
	}
	p := c.Plugin
	// One question at a time per plugin: two requests racing must not
	// both ask, nor lose one's answer to the other's.
	p.asking.Lock()
	defer p.asking.Unlock()
	var ask []string
	p.consent.Lock()
	for _, name := range perms {
		_, granted := p.grants[name]
		_, denied := p.denied[name]
		switch {
		case !p.ceiling.Allows(name), denied:
			p.consent.Unlock()
			return json.Marshal(permissionsResult{Granted: false})
		case !granted && !slices.Contains(ask, name):
			ask = append(ask, name)
		}
	}
	p.consent.Unlock()
	if len(ask) == 0 {
		return json.Marshal(permissionsResult{Granted: true})
	}
	d, err := c.desk()
	if err != nil {
		return nil, err
	}
	answer, err := h.askConsent(ctx, d, p, ask)
	if err != nil {
		return nil, err
	}
	if answer == ConsentDismissed {
		return json.Marshal(permissionsResult{Granted: false})
	}
	allow := answer == ConsentAllowed
	// A plugin run from its source directory is not the installed one:
	// its answers last as long as it is loaded.
	if h.opts.Consents != nil && !p.source {
		if err := h.opts.Consents.RememberConsent(ctx, p.ID(), ask, allow); err != nil {
			return nil, fmt.Errorf("permissions.request: remember the answer: %w", err)
		}
	}
	if err := p.answer(ask, allow); err != nil {
		return nil, err
	}
	h.log.Info("run-time consent", "plugin", p.ID(), "permissions", ask, "allowed", allow)
	return json.Marshal(permissionsResult{Granted: allow})
}

// consentArgs decodes and checks the permissions a request names: each
// must be one of the plugin's optional permissions.
func consentArgs(c *Call) ([]string, error) {
	var a permissionsArgs
	if err := c.DecodeArgs(&a); err != nil {
		return nil, err
	}
	optional := c.Plugin.manifest.OptionalPermissions
	switch {
	case len(a.Permissions) == 0:
		return nil, Deny(CodeBadArgs, fmt.Sprintf(`%s needs "permissions": a list of the plugin's optional permissions (it declares: %s)`, c.Command, listOrNone(optional)))
	case len(a.Permissions) > maxConsentAsk:
		return nil, Deny(CodeBadArgs, fmt.Sprintf("%s names %d permissions, at most %d at once", c.Command, len(a.Permissions), maxConsentAsk))
	}
	for _, name := range a.Permissions {
		if !slices.Contains(optional, name) {
			return nil, Deny(CodeNotDeclared, fmt.Sprintf("%s: %q is not among the plugin's optional_permissions (it declares: %s); only those can be asked for at run time", c.Command, clip(name, 64), listOrNone(optional)))
		}
	}
	return a.Permissions, nil
}

// consentPrompt words the question for perms of plugin p.
func (h *Host) consentPrompt(p *Plugin, perms []string) ConsentPrompt {
	m := p.manifest
	who := "“" + m.Name + "”"
	if m.Publisher != "" {
		who += " by " + m.Publisher
	}
	var b strings.Builder
	for i, name := range perms {
		if i > 0 {
			b.WriteString("\n\n")
		}
		desc := name
		if e, ok := h.Describe(name); ok && e.Description != "" {
			desc = e.Description
		}
		b.WriteString("• " + desc)
		if r, ok := m.Reason(name); ok {
			b.WriteString("\n    The plugin's author says why: “" + r + "”")
		}
	}
	b.WriteString("\n\nYou can take this back with: warden revoke " + m.ID + " " + strings.Join(perms, " "))
	return ConsentPrompt{
		Title:  "Warden: " + m.Name + " asks for a permission",
		Text:   "Allow the plugin " + who + " to:",
		Detail: b.String(),
	}
}

// answer applies the user's answer to the loaded plugin: allowed
// permissions are granted from now on, refused ones answered "no" without
// asking again.
func (p *Plugin) answer(perms []string, allow bool) error {
	p.consent.Lock()
	defer p.consent.Unlock()
	if !allow {
		for _, name := range perms {
			p.denied[name] = true
		}
		return nil
	}
	g := make(permissions.Grants, len(p.grants)+len(perms))
	for k, v := range p.grants {
		g[k] = v
	}
	now := time.Now().UTC()
	for _, name := range perms {
		g[name] = permissions.Grant{Permission: name, GrantedAt: now}
	}
	return p.setGrantsLocked(g)
}

// askConsent asks the user about perms for p: in the dialog
// Options.ConsentDialogs offers when it offers one, after the page's
// window gave up the user's gesture, else in the page's window.
func (h *Host) askConsent(ctx context.Context, d Desktop, p *Plugin, perms []string) (ConsentAnswer, error) {
	prompt := h.consentPrompt(p, perms)
	if h.opts.ConsentDialogs != nil {
		if ask := h.opts.ConsentDialogs.ConsentDialog(); ask != nil {
			if err := d.TakeGesture(ctx); err != nil {
				return ConsentDismissed, err
			}
			return ask(ctx, p.ID(), prompt)
		}
	}
	return d.AskConsent(ctx, prompt)
}
