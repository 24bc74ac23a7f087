package manager

import (
	"fmt"
	"slices"

	"github.com/wardenhq/warden/plugins/policy"
	"github.com/wardenhq/warden/plugins/store"
)

// Status is an installed plugin as a user sees it.
type Status struct {
	store.Plugin
	Name, Publisher string
	// Runnable is true when the plugin is enabled and the policy allows
	// this version.
	Runnable bool
	// State is "enabled", "disabled" or "blocked".
	State string
	// Reason explains a disabled or blocked state.
	Reason string
	// Policy is the policy's decision for this version.
	Policy policy.Decision
	// Asks are the permissions the installed version asks for, at install
	// and then at runtime, as consent described them, with the author's
	// reasons.
	Asks []Permission
}

// Status returns plugin id's status under the policy in force.
func (m *Manager) Status(id string) (Status, error) {
	rec, err := m.opts.Store.Get(id)
	if err != nil {
		return Status{}, err
	}
	return m.status(rec), nil
}

// List returns every installed plugin's status, sorted by id.
func (m *Manager) List() ([]Status, error) {
	recs, err := m.opts.Store.List()
	if err != nil {
		return nil, err
	}
	out := make([]Status, 0, len(recs))
	for _, r := range recs {
		out = append(out, m.status(r))
	}
	return out, nil
}

func (m *Manager) status(rec store.Plugin) Status {
	s := Status{Plugin: rec}
	mf, err := m.Manifest(rec)
	if err != nil {
		s.State, s.Reason = "broken", err.Error()
		return s
	}
	s.Name, s.Publisher = mf.Name, mf.Publisher
	s.Asks = m.describe(slices.Concat(mf.ConsentPermissions(), mf.OptionalPermissions), mf)
	// Only a key that verified the installed version counts: the record
	// keeps it in full, and the policy compares it in full.
	c := candidate(mf, signature{})
	c.Signed, c.SignerKey, c.SignerKeyID = rec.SignerKey != "", rec.SignerKey, rec.Signer
	s.Policy = m.Policy().Check(c)
	switch {
	case !s.Policy.Allowed:
		s.State, s.Reason = "blocked", fmt.Sprintf("%s (policy rule %s)", s.Policy.Reason, s.Policy.Rule)
	case !rec.Enabled:
		s.State, s.Reason = "disabled", rec.DisabledReason
	default:
		s.State, s.Runnable = "enabled", true
	}
	return s
}
