package manager

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wardenhq/warden/permissions"
	"github.com/wardenhq/warden/plugins/store"
)

// Grant approves perms for plugin id. Each must be declared by its current
// version (as a permission or an optional one); a permission every plugin
// has (log, events) or one of its own backend commands has is refused with
// ErrAlwaysGranted, since no grant gives or takes it. When that leaves
// nothing pending, a plugin disabled only for pending permissions is
// enabled.
func (m *Manager) Grant(ctx context.Context, id string, perms []string) (store.Plugin, error) {
	rec, err := m.opts.Store.Get(id)
	if err != nil {
		return store.Plugin{}, fmt.Errorf("grant %s: %w", id, err)
	}
	mf, err := m.Manifest(rec)
	if err != nil {
		return store.Plugin{}, fmt.Errorf("grant %s: %w", id, err)
	}
	declared := slices.Concat(mf.ConsentPermissions(), mf.OptionalPermissions)
	for _, p := range perms {
		if why := alwaysGranted(mf.Commands, p); why != "" {
			return store.Plugin{}, fmt.Errorf("grant %s %s: %w %s; there is nothing to grant", id, p, ErrAlwaysGranted, why)
		}
		if !slices.Contains(declared, p) {
			return store.Plugin{}, fmt.Errorf("grant %s %s: %w (it declares: %s)", id, p, ErrNotDeclared, listOrNone(declared))
		}
	}
	now := m.opts.Now().UTC()
	return m.modify(id, func(p *store.Plugin) error {
		if p.Grants == nil {
			p.Grants = permissions.Grants{}
		}
		for _, name := range perms {
			if _, ok := p.Grants[name]; !ok {
				p.Grants[name] = permissions.Grant{Permission: name, GrantedAt: now}
			}
			delete(p.Denied, name)
		}
		p.Pending = slices.DeleteFunc(p.Pending, func(s string) bool { return slices.Contains(perms, s) })
		if len(p.Pending) == 0 && !p.Enabled && isPendingReason(p.DisabledReason) {
			p.Enabled, p.DisabledReason = true, ""
		}
		return nil
	})
}

// Revoke withdraws perms from plugin id. A running host must stop the
// plugin's window when it applies this (Host.Revoke does). The permissions
// Grant refuses with ErrAlwaysGranted cannot be revoked either, and are
// refused with it.
func (m *Manager) Revoke(ctx context.Context, id string, perms []string) (store.Plugin, error) {
	rec, err := m.opts.Store.Get(id)
	if err != nil {
		return store.Plugin{}, fmt.Errorf("revoke %s: %w", id, err)
	}
	mf, err := m.Manifest(rec)
	if err != nil {
		return store.Plugin{}, fmt.Errorf("revoke %s: %w", id, err)
	}
	for _, p := range perms {
		if why := alwaysGranted(mf.Commands, p); why != "" {
			return store.Plugin{}, fmt.Errorf("revoke %s %s: %w %s, and cannot be revoked (warden disable %s stops the plugin)", id, p, ErrAlwaysGranted, why, id)
		}
	}
	return m.modify(id, func(p *store.Plugin) error {
		for _, name := range perms {
			_, granted := p.Grants[name]
			_, denied := p.Denied[name]
			if !granted && !denied {
				return fmt.Errorf("revoke %s %s: not granted (granted: %s)", id, name, listOrNone(grantNames(p.Grants)))
			}
			// A remembered "no" is forgotten too: the plugin may ask again.
			delete(p.Grants, name)
			delete(p.Denied, name)
		}
		return nil
	})
}

// RememberConsent records the user's answer to plugin id's run-time request
// for perms, which must all be among the optional permissions its manifest
// declares: allow grants them (as Grant does), deny remembers the refusal
// so that the plugin's next request is answered without asking (Grant and
// Revoke forget it). It costs one write transaction.
func (m *Manager) RememberConsent(ctx context.Context, id string, perms []string, allow bool) error {
	rec, err := m.opts.Store.Get(id)
	if err != nil {
		return fmt.Errorf("remember consent %s: %w", id, err)
	}
	mf, err := m.Manifest(rec)
	if err != nil {
		return fmt.Errorf("remember consent %s: %w", id, err)
	}
	for _, p := range perms {
		if !slices.Contains(mf.OptionalPermissions, p) {
			return fmt.Errorf("remember consent %s %s: %w as optional (optional: %s)", id, p, ErrNotDeclared, listOrNone(mf.OptionalPermissions))
		}
	}
	if allow {
		_, err = m.Grant(ctx, id, perms)
		return err
	}
	now := m.opts.Now().UTC()
	_, err = m.modify(id, func(p *store.Plugin) error {
		if p.Denied == nil {
			p.Denied = map[string]time.Time{}
		}
		for _, name := range perms {
			delete(p.Grants, name)
			p.Denied[name] = now
		}
		return nil
	})
	return err
}

// Enable lets plugin id run again. It refuses while permissions are
// pending; the admin policy may still block it (see Status).
func (m *Manager) Enable(ctx context.Context, id string) (store.Plugin, error) {
	return m.modify(id, func(p *store.Plugin) error {
		if len(p.Pending) > 0 {
			return fmt.Errorf("enable %s: %w: %s (run warden grant %s %s)", id, ErrPending, strings.Join(p.Pending, ", "), id, strings.Join(p.Pending, " "))
		}
		p.Enabled, p.DisabledReason = true, ""
		return nil
	})
}

// Disable stops plugin id from running, with reason shown in list and info.
func (m *Manager) Disable(ctx context.Context, id, reason string) (store.Plugin, error) {
	if reason == "" {
		reason = "disabled by the user"
	}
	return m.modify(id, func(p *store.Plugin) error {
		p.Enabled, p.DisabledReason = false, reason
		return nil
	})
}

// Rollback returns plugin id to its previous version, with its data (which
// is kept per plugin, not per version). Grants stay; permissions the older
// version asks for and the user has not granted become pending.
func (m *Manager) Rollback(ctx context.Context, id string) (store.Plugin, error) {
	st := m.opts.Store
	lock, err := st.Lock(ctx)
	if err != nil {
		return store.Plugin{}, fmt.Errorf("rollback %s: %w", id, err)
	}
	defer lock.Unlock()
	rec, err := st.Rollback(ctx, id)
	if err != nil {
		return store.Plugin{}, fmt.Errorf("rollback %s: %w", id, err)
	}
	mf, err := m.Manifest(rec)
	if err != nil {
		return rec, fmt.Errorf("rollback %s: %w", id, err)
	}
	var pending []string
	for _, p := range mf.ConsentPermissions() {
		if _, ok := rec.Grants[p]; !ok {
			pending = append(pending, p)
		}
	}
	return m.modify(id, func(p *store.Plugin) error {
		p.Pending = pending
		switch {
		case len(pending) > 0:
			p.Enabled, p.DisabledReason = false, pendingReason(rec.Version, pending)
		case !p.Enabled && isPendingReason(p.DisabledReason):
			p.Enabled, p.DisabledReason = true, ""
		}
		return nil
	})
}

// Uninstall removes plugin id and every kept version. With purge it also
// deletes what the plugin stored (storage, files in $DATA, website data);
// without it that data stays for a later reinstall, as Chrome keeps nothing
// and VS Code keeps everything: Warden asks.
func (m *Manager) Uninstall(ctx context.Context, id string, purge bool) error {
	st := m.opts.Store
	if _, err := st.Get(id); err != nil {
		return fmt.Errorf("uninstall %s: %w", id, err)
	}
	lock, err := st.Lock(ctx)
	if err != nil {
		return fmt.Errorf("uninstall %s: %w", id, err)
	}
	defer lock.Unlock()
	if err := st.Uninstall(ctx, id); err != nil {
		return fmt.Errorf("uninstall %s: %w", id, err)
	}
	if purge {
		if err := m.purge(id); err != nil {
			return fmt.Errorf("uninstall %s: %w", id, err)
		}
	}
	return nil
}

func isPendingReason(s string) bool { return strings.Contains(s, "asks for new permissions") }

// alwaysGranted says why perm is granted to a plugin whose manifest lists
// commands without any user's decision ("to every plugin"), or returns ""
// when it is not: implicit catalog permissions, and the permission of one
// of the plugin's own backend commands.
func alwaysGranted(commands []string, perm string) string {
	if e, ok := permissions.Lookup(perm); ok && e.Implicit {
		return "to every plugin"
	}
	if cmd, ok := strings.CutPrefix(perm, permissions.BackendPrefix); ok && slices.Contains(commands, cmd) {
		return "with the plugin's command " + strconv.Quote(cmd)
	}
	return ""
}

func grantNames(g permissions.Grants) []string {
	out := make([]string, 0, len(g))
	for k := range g {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func listOrNone(ss []string) string {
	if len(ss) == 0 {
		return "none"
	}
	return strings.Join(ss, ", ")
}

// modify runs fn on plugin id's record in one transaction. An error fn
// returns (the user's mistake) is returned as is, without the store's
// context.
func (m *Manager) modify(id string, fn func(*store.Plugin) error) (store.Plugin, error) {
	var ferr error
	p, err := m.opts.Store.Modify(id, func(p *store.Plugin) error {
		ferr = fn(p)
		return ferr
	})
	if ferr != nil {
		return store.Plugin{}, ferr
	}
	return p, err
}
