package warden

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/host/supervise"
	"github.com/wardenhq/warden/host/window"
	"github.com/wardenhq/warden/permissions"
	"github.com/wardenhq/warden/plugins/policy"
)

// Installed plugins run with Run, and stay in line with the admin policy
// and the user's changes: SetPolicy stops every running plugin the new
// policy blocks (with the policy's reason) and starts again every plugin it
// allows once more; Revoke and Refresh apply a change of grants or of
// enabled state at once. Every window runs the policy's isolation hooks: a
// policy whose hooks changed restarts the windows, and one whose hooks
// cannot be used stops them until a later policy brings usable ones.

// Run opens installed plugin id's window if it is enabled and allowed. A
// plugin the policy blocks is remembered and started when a later policy
// allows it; Run then returns an error saying why it is not running.
func (w *Warden) Run(ctx context.Context, id string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	defer w.signal()
	if !slices.Contains(w.wanted, id) {
		w.wanted = append(w.wanted, id)
		w.watch(id)
	}
	if _, ok := w.running[id]; ok {
		return nil // its window is open already
	}
	return w.startLocked(ctx, id)
}

func (w *Warden) startLocked(ctx context.Context, id string) error {
	st, err := w.plugins.Status(id)
	if err != nil {
		return fmt.Errorf("run %s: %w", id, err)
	}
	if !st.Runnable {
		w.blocked[id] = st.Reason
		return fmt.Errorf("run %s: %s: %s", id, st.State, st.Reason)
	}
	pol := w.Policy()
	opts, err := w.windowOptions(w.window)
	if err != nil {
		w.blocked[id] = err.Error()
		w.refuseForHook(id, err)
		return fmt.Errorf("run %s: %w", id, err)
	}
	hooks, _ := w.hooksFor(pol)
	blocked := pol.PermissionCeiling().Blocked
	p, err := w.core.Load(ctx, w.plugins.Dir(st.Plugin), host.LoadOptions{Grants: st.Grants, Denied: st.DeniedNames(), Ceiling: permissions.Ceiling{Blocked: blocked}})
	if err != nil {
		return fmt.Errorf("run %s: %w", id, err)
	}
	win, err := w.windows.Open(ctx, p, opts)
	if err != nil {
		w.core.Unload(ctx, id, "window failed to start")
		if errors.Is(err, window.ErrNoNetworkIsolation) {
			w.blocked[id] = err.Error()
		}
		return fmt.Errorf("run %s: %w", id, err)
	}
	w.open[id] = win
	delete(w.blocked, id)
	delete(w.revoked, id)
	w.running[id] = slices.Clone(blocked)
	w.hooked[id] = hooks
	w.log.Info("plugin started", "plugin", id, "version", st.Version)
	return nil
}

// SetPolicy makes pol the policy in force and applies it at once to every
// plugin Run was asked to run. Wire it to policy.WatchLayered for live
// updates.
func (w *Warden) SetPolicy(ctx context.Context, pol *policy.Policy) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	defer w.signal()
	w.policy.Store(pol)
	hooks, hookErr := w.hooksFor(pol) // read once, as the policy comes into force
	var errs []error
	for _, id := range w.wanted {
		st, err := w.plugins.Status(id)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		blocked, running := w.running[id]
		if running {
			// Binds the window's restarts after a crash too.
			w.open[id].SetRequireNetworkIsolation(w.window.RequireNetworkIsolation || pol.RequireNetworkIsolation())
		}
		switch {
		case !st.Runnable && running:
			reason := st.State + ": " + st.Reason
			w.log.Warn("plugin stopped by admin policy", "plugin", id, "reason", reason)
			delete(w.running, id)
			w.blocked[id] = reason
			errs = append(errs, w.core.Unload(ctx, id, reason))
		case st.Runnable && running && !slices.Equal(blocked, pol.PermissionCeiling().Blocked):
			// Blocked permissions are compiled into the plugin's decisions:
			// restart it under the new ceiling.
			delete(w.running, id)
			errs = append(errs, w.core.Unload(ctx, id, "admin policy changed"), w.startLocked(ctx, id))
		case st.Runnable && running && (hookErr != nil || !slices.Equal(w.hooked[id], hooks)):
			// The hooks load with each page: restart the window so that the
			// new ones hold for every page, or stop it when they cannot be
			// used (startLocked then refuses and says why).
			delete(w.running, id)
			w.log.Warn("plugin window restarted: the policy's isolation hooks changed", "plugin", id)
			errs = append(errs, w.core.Unload(ctx, id, "admin policy changed the isolation hook"), w.startLocked(ctx, id))
		case st.Runnable && running && pol.RequireNetworkIsolation() && !w.open[id].Network().Isolated:
			// Its web stack has network access, which the policy now
			// refuses: start it again, which fails if that cannot change.
			delete(w.running, id)
			w.log.Warn("plugin stopped by admin policy", "plugin", id, "reason", "require_network_isolation")
			errs = append(errs, w.core.Unload(ctx, id, "admin policy requires network isolation"), w.startLocked(ctx, id))
		case st.Runnable && !running:
			errs = append(errs, w.startLocked(ctx, id))
		}
	}
	return errors.Join(errs...)
}

// Blocked returns why plugin id is not running, or "".
func (w *Warden) Blocked(id string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.blocked[id]
}

// Running reports whether plugin id runs (Run started it and nothing
// stopped it since).
func (w *Warden) Running(id string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	_, ok := w.running[id]
	return ok
}

// Revoke withdraws perms from plugin id and, when it runs, stops its
// window: a page that was granted a permission must not keep using it
// (Chrome ends the extension's pages the same way). It is not restarted
// under the remaining grants; a later change of its record that Refresh
// applies (a grant, disable then enable) runs it again, as does Run.
func (w *Warden) Revoke(ctx context.Context, id string, perms []string) error {
	if _, err := w.plugins.Revoke(ctx, id, perms); err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	defer w.signal()
	if _, ok := w.running[id]; !ok {
		return nil
	}
	delete(w.running, id)
	reason := fmt.Sprintf("permission revoked: %v", perms)
	// Still wanted: a later grant (Refresh) runs it again.
	w.blocked[id] = reason
	w.revoked[id] = true
	w.log.Info("plugin stopped", "plugin", id, "reason", reason)
	return w.core.Unload(ctx, id, reason)
}

// Refresh applies a change to plugin id's record (enabled, disabled,
// granted): a running plugin that may no longer run is stopped, one Run
// was asked to run that may now run is started, and one that runs gets
// the record's grants for its next request.
func (w *Warden) Refresh(ctx context.Context, id string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	defer w.signal()
	st, err := w.plugins.Status(id)
	if err != nil {
		return err
	}
	_, running := w.running[id]
	switch {
	case !st.Runnable && running:
		delete(w.running, id)
		w.blocked[id] = st.State + ": " + st.Reason
		return w.core.Unload(ctx, id, st.State+": "+st.Reason)
	case st.Runnable && !running && slices.Contains(w.wanted, id):
		return w.startLocked(ctx, id)
	case st.Runnable && running:
		// A grant made while the plugin runs (warden grant, the manager's
		// Allow) applies to its next request, as a run-time consent does.
		if p := w.core.Plugin(id); p != nil {
			return p.SetGrants(st.Grants)
		}
	}
	return nil
}

// signal wakes Wait, and every listener of changes: something it looks at
// changed.
func (w *Warden) signal() {
	select {
	case w.changed <- struct{}{}:
	default:
	}
	w.watchMu.Lock()
	for c := range w.watches {
		select {
		case c <- struct{}{}:
		default:
		}
	}
	w.watchMu.Unlock()
}

// changes returns a channel that receives a value (coalesced) after each
// change signal reports, and a function that stops it.
func (w *Warden) changes() (<-chan struct{}, func()) {
	c := make(chan struct{}, 1)
	w.watchMu.Lock()
	if w.watches == nil {
		w.watches = map[chan struct{}]struct{}{}
	}
	w.watches[c] = struct{}{}
	w.watchMu.Unlock()
	return c, func() {
		w.watchMu.Lock()
		delete(w.watches, c)
		w.watchMu.Unlock()
	}
}

// watch forwards every state change of plugin id's window to signal, for
// as long as the window manager runs. w.mu is held.
func (w *Warden) watch(id string) {
	states, _ := w.windows.Watch(id)
	go func() {
		for range states {
			w.signal()
		}
	}()
}

// Wait blocks until the user has closed the window of every plugin Run was
// asked to run, and none may come back (a plugin the policy blocks or the
// user disabled may: a later change can start it), or until ctx ends. It
// wakes on events from the window supervisor and from every change Run,
// SetPolicy, Revoke and Refresh make, never on a timer.
func (w *Warden) Wait(ctx context.Context) error {
	for {
		if !w.anyOpen() {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-w.changed:
		}
	}
}

// anyOpen reports whether a window of a plugin Run was asked to run is
// open, or may open again.
func (w *Warden) anyOpen() bool {
	if w.HookError() != nil {
		// Every window is kept closed until a policy change brings
		// isolation hooks that can be used.
		return true
	}
	w.mu.Lock()
	ids := slices.Clone(w.wanted)
	w.mu.Unlock()
	for _, id := range ids {
		st := w.windows.State(id)
		if w.Running(id) && !errors.Is(st.Err, supervise.ErrClosed) || w.mayComeBack(id) {
			return true
		}
	}
	return false
}

// mayComeBack reports whether plugin id is kept from running by the policy
// or by being disabled, either of which a later change can undo.
func (w *Warden) mayComeBack(id string) bool {
	w.mu.Lock()
	revoked := w.revoked[id]
	w.mu.Unlock()
	if revoked {
		return true // until the user grants again
	}
	st, err := w.plugins.Status(id)
	return err == nil && (st.State == "blocked" || st.State == "disabled")
}

// Stop closes plugin id's window at the user's request (the manager's
// Close button): it is no longer wanted, and only Run opens it again.
func (w *Warden) Stop(ctx context.Context, id string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	defer w.signal()
	if _, ok := w.running[id]; !ok {
		return fmt.Errorf("close %s: its window is not open", id)
	}
	delete(w.running, id)
	delete(w.revoked, id)
	w.wanted = slices.DeleteFunc(w.wanted, func(s string) bool { return s == id })
	w.log.Info("plugin stopped", "plugin", id, "reason", "closed by the user")
	return w.core.Unload(ctx, id, "closed by the user")
}
