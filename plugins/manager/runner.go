package manager

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/host/window"
	"github.com/wardenhq/warden/permissions"
	"github.com/wardenhq/warden/plugins/policy"
)

// Runner runs installed plugins' windows in a host and keeps them in line
// with the admin policy: [Runner.SetPolicy] stops every running plugin the
// new policy blocks (with the policy's reason) and starts again every
// plugin it allows once more. Wire it to [policy.Watch] for live updates.
type Runner struct {
	h    *host.Host
	wins *window.Manager
	m    *Manager
	ui   window.Options
	log  *slog.Logger

	mu      sync.Mutex
	pol     *policy.Policy
	wanted  []string            // ids asked for, in order
	running map[string][]string // id -> blocked permissions it runs under
	blocked map[string]string   // id -> why it is not running
	windows map[string]*window.Window // id -> its window, while running
}

// NewRunner returns a Runner that loads plugins installed in m into h and
// opens their windows with wins and ui. The policy starts as pol; m should
// read it through [Runner.Policy] so that installs and the runner agree.
func NewRunner(h *host.Host, wins *window.Manager, m *Manager, pol *policy.Policy, ui window.Options, log *slog.Logger) *Runner {
	if log == nil {
		log = slog.Default()
	}
	return &Runner{h: h, wins: wins, m: m, ui: ui, log: log, pol: pol, running: map[string][]string{}, blocked: map[string]string{}, windows: map[string]*window.Window{}}
}

// Policy returns the policy in force.
func (r *Runner) Policy() *policy.Policy {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pol
}

// Start opens plugin id's window if it is installed, enabled and allowed.
// A plugin the policy blocks is remembered and started when a later policy
// allows it; Start then returns an error saying why it is not running.
func (r *Runner) Start(ctx context.Context, id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !slices.Contains(r.wanted, id) {
		r.wanted = append(r.wanted, id)
	}
	return r.startLocked(ctx, id)
}

func (r *Runner) startLocked(ctx context.Context, id string) error {
	st, err := r.m.Status(id)
	if err != nil {
		return fmt.Errorf("run %s: %w", id, err)
	}
	if !st.Runnable {
		r.blocked[id] = st.Reason
		return fmt.Errorf("run %s: %s: %s", id, st.State, st.Reason)
	}
	blocked := r.pol.PermissionCeiling().Blocked
	p, err := r.h.Load(ctx, r.m.Dir(st.Plugin), host.LoadOptions{Grants: st.Grants, Ceiling: permissions.Ceiling{Blocked: blocked}})
	if err != nil {
		return fmt.Errorf("run %s: %w", id, err)
	}
	ui := r.ui
	ui.RequireNetworkIsolation = ui.RequireNetworkIsolation || r.pol.RequireNetworkIsolation()
	w, err := r.wins.Open(ctx, p, ui)
	if err != nil {
		r.h.Unload(ctx, id, "window failed to start")
		if errors.Is(err, window.ErrNoNetworkIsolation) {
			r.blocked[id] = err.Error()
		}
		return fmt.Errorf("run %s: %w", id, err)
	}
	r.windows[id] = w
	delete(r.blocked, id)
	r.running[id] = slices.Clone(blocked)
	r.log.Info("plugin started", "plugin", id, "version", st.Version)
	return nil
}

// SetPolicy makes pol the policy in force and applies it at once to every
// plugin the runner was asked to run.
func (r *Runner) SetPolicy(ctx context.Context, pol *policy.Policy) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pol = pol
	var errs []error
	for _, id := range r.wanted {
		st, err := r.m.Status(id)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		blocked, running := r.running[id]
		if running {
			// Binds the window's restarts after a crash too.
			r.windows[id].SetRequireNetworkIsolation(r.ui.RequireNetworkIsolation || pol.RequireNetworkIsolation())
		}
		switch {
		case !st.Runnable && running:
			reason := st.State + ": " + st.Reason
			r.log.Warn("plugin stopped by admin policy", "plugin", id, "reason", reason)
			delete(r.running, id)
			r.blocked[id] = reason
			errs = append(errs, r.h.Unload(ctx, id, reason))
		case st.Runnable && running && !slices.Equal(blocked, pol.PermissionCeiling().Blocked):
			// Blocked permissions are compiled into the plugin's decisions:
			// restart it under the new ceiling.
			delete(r.running, id)
			errs = append(errs, r.h.Unload(ctx, id, "admin policy changed"), r.startLocked(ctx, id))
		case st.Runnable && running && pol.RequireNetworkIsolation() && !r.windows[id].Network().Isolated:
			// Its web stack has network access, which the policy now
			// refuses: start it again, which fails if that cannot change.
			delete(r.running, id)
			r.log.Warn("plugin stopped by admin policy", "plugin", id, "reason", "require_network_isolation")
			errs = append(errs, r.h.Unload(ctx, id, "admin policy requires network isolation"), r.startLocked(ctx, id))
		case st.Runnable && !running:
			errs = append(errs, r.startLocked(ctx, id))
		}
	}
	return errors.Join(errs...)
}

// Blocked returns why plugin id is not running, or "".
func (r *Runner) Blocked(id string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.blocked[id]
}

// Running reports whether the runner has plugin id running.
func (r *Runner) Running(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.running[id]
	return ok
}

// Revoke withdraws perms from plugin id and, when the runner has it
// running, stops its window: a page that was granted a permission must not
// keep using it (Chrome ends the extension's pages the same way). It is not
// restarted; [Runner.Start] runs it again under the remaining grants.
func (r *Runner) Revoke(ctx context.Context, id string, perms []string) error {
	if _, err := r.m.Revoke(ctx, id, perms); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.running[id]; !ok {
		return nil
	}
	delete(r.running, id)
	r.wanted = slices.DeleteFunc(r.wanted, func(s string) bool { return s == id })
	reason := fmt.Sprintf("permission revoked: %v", perms)
	r.log.Info("plugin stopped", "plugin", id, "reason", reason)
	return r.h.Unload(ctx, id, reason)
}

// Refresh applies a change to plugin id's record (enabled, disabled,
// granted) to a running host: a plugin that may no longer run is stopped,
// and one the runner was asked to run that may now run is started.
func (r *Runner) Refresh(ctx context.Context, id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	st, err := r.m.Status(id)
	if err != nil {
		return err
	}
	_, running := r.running[id]
	switch {
	case !st.Runnable && running:
		delete(r.running, id)
		r.blocked[id] = st.State + ": " + st.Reason
		return r.h.Unload(ctx, id, st.State+": "+st.Reason)
	case st.Runnable && !running && slices.Contains(r.wanted, id):
		return r.startLocked(ctx, id)
	}
	return nil
}
