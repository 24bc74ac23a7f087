package warden

import (
	"errors"
	"time"

	"github.com/wardenhq/warden/host/audit"
	"github.com/wardenhq/warden/isolation"
	"github.com/wardenhq/warden/plugins/policy"
)

// The admin's isolation hook (a policy's isolation_hook) runs in every
// plugin window, with a user's own policy hook if any: [isolation.Hook]
// says what a hook may do and [isolation.HookScripts] how hooks of the two
// authorities are chained. Each policy's hook files are read once, when
// the policy comes into force ([Open], [Warden.SetPolicy]), and only the
// verified bytes run. A window never opens without them: when they cannot
// be used, [Warden.Run] and [Warden.OpenWindow] refuse, say why and audit
// it, and [Warden.SetPolicy] stops the windows that run.

// Audit codes of a window not opened because the policy's isolation hook
// could not be used, recorded under the command [HookAuditCmd].
const (
	// HookAuditCmd is the audit command of isolation hook refusals.
	HookAuditCmd = "warden.isolation_hook"
	// ReasonHookMismatch: the hook's file does not match its pin
	// ([policy.ErrHookMismatch]).
	ReasonHookMismatch = "isolation_hook_mismatch"
	// ReasonHookUnreadable: the hook's file is missing or unusable
	// ([policy.ErrHookUnreadable]).
	ReasonHookUnreadable = "isolation_hook_unreadable"
)

// policyHooks are the isolation scripts of one policy, or why its hooks
// cannot be used.
type policyHooks struct {
	pol *policy.Policy
	js  []string
	err error
}

// hooksFor returns the isolation scripts of pol's hooks, reading and
// verifying the files the first time pol is asked for (and again only for
// another policy), or the error that keeps every window closed.
func (w *Warden) hooksFor(pol *policy.Policy) ([]string, error) {
	w.hookMu.Lock()
	defer w.hookMu.Unlock()
	if w.hooks == nil || w.hooks.pol != pol {
		js, err := readHooks(pol)
		w.hooks = &policyHooks{pol: pol, js: js, err: err}
	}
	return w.hooks.js, w.hooks.err
}

// readHooks reads and verifies the isolation hooks pol names
// ([policy.Hook.Read]: each file once, the bytes checked against the pin
// being the bytes used) and returns the scripts that run them in a plugin
// window's isolation frame, or nil when pol names none. An error matches
// [policy.ErrHookMismatch] or [policy.ErrHookUnreadable].
func readHooks(pol *policy.Policy) ([]string, error) {
	var hooks []isolation.Hook
	for _, h := range pol.IsolationHooks() {
		src, err := h.Read()
		if err != nil {
			return nil, err
		}
		hooks = append(hooks, isolation.Hook{Name: h.Path, Script: string(src), User: h.User})
	}
	return isolation.HookScripts(hooks), nil
}

// HookError returns why the isolation hooks of the policy in force cannot
// be used, or nil. While it is not nil no plugin window opens; a policy
// change may bring hooks that can be used.
func (w *Warden) HookError() error {
	_, err := w.hooksFor(w.Policy())
	return err
}

// refuseForHook logs and audits that plugin id's window was not opened
// because the isolation hooks cannot be used (err, from hooksFor).
func (w *Warden) refuseForHook(id string, err error) {
	reason := ReasonHookUnreadable
	if errors.Is(err, policy.ErrHookMismatch) {
		reason = ReasonHookMismatch
	}
	w.log.Error("plugin window not opened: the policy's isolation hook cannot be used", "plugin", id, "err", err)
	w.core.Audit().Record(audit.Entry{Time: time.Now(), Plugin: id, Cmd: HookAuditCmd, Reason: reason, Detail: "window not opened: " + err.Error()})
}
