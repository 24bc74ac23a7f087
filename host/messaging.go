package host

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/wardenhq/warden/host/audit"
	"github.com/wardenhq/warden/permissions"
)

// maxMessagingDepth bounds chains of messaging calls (a plugin's backend
// calling another's, which calls a third's...), so two plugins calling each
// other end with an error instead of holding every instance until their
// timeouts.
const maxMessagingDepth = 4

// messageArgs are the arguments of messaging.call.
type messageArgs struct {
	Plugin  string          `json:"plugin"`
	Command string          `json:"command"`
	Args    json.RawMessage `json:"args,omitempty"`
}

// messagingDepthKey carries the depth of a messaging chain in the context
// of the backend call it made.
type messagingDepthKey struct{}

// messagingCall runs a command another plugin exports. The caller needs
// "messaging:<that plugin's id>" (declared, granted, under the ceiling);
// the command must be in that plugin's "exports"; the call spends that
// plugin's rate and in-flight budget, runs in its backend with its
// permissions (never the caller's), and is audited on both sides: as
// messaging.call by the caller, as messaging.from:<caller> by the callee.
func (h *Host) messagingCall(ctx context.Context, c *Call) ([]byte, error) {
	var a messageArgs
	if err := c.DecodeArgs(&a); err != nil {
		return nil, err
	}
	switch {
	case !permissions.ValidPluginID(a.Plugin):
		return nil, Deny(CodeBadArgs, fmt.Sprintf(`messaging.call: "plugin" must be a plugin id such as "com.example.search", got %q`, a.Plugin))
	case !permissions.ValidCommand(a.Command):
		return nil, Deny(CodeBadArgs, fmt.Sprintf(`messaging.call: "command" must be a command name such as "search", got %q`, a.Command))
	case a.Plugin == c.Plugin.ID():
		return nil, Deny(CodeBadArgs, "messaging.call: a plugin calls its own commands as backend.<command>")
	}
	if err := c.Decide(permissions.Request{Permission: permissions.MessagingPrefix + a.Plugin}); err != nil {
		return nil, err
	}
	depth, _ := ctx.Value(messagingDepthKey{}).(int)
	if depth >= maxMessagingDepth {
		return nil, Deny(CodeBusy, fmt.Sprintf("messaging.call: more than %d plugins deep", maxMessagingDepth))
	}
	target := h.Plugin(a.Plugin)
	if target == nil || target.module.Load() == nil {
		return nil, Deny(CodeStopped, fmt.Sprintf("messaging.call: %s is not running", a.Plugin))
	}
	e := audit.Entry{Time: time.Now(), Plugin: target.ID(), Cmd: "messaging.from:" + c.Plugin.ID() + "/" + a.Command}
	out, err := h.runExport(ctx, target, depth, a)
	h.answer(e, 0, out, err)
	return out, err
}

// runExport runs the exported command a.Command of target for a messaging
// call at depth.
func (h *Host) runExport(ctx context.Context, target *Plugin, depth int, a messageArgs) ([]byte, error) {
	if !slices.Contains(target.Manifest().Exports, a.Command) {
		return nil, Deny(CodeNotExported, fmt.Sprintf("messaging.call: %s does not export %q (it exports: %v)", target.ID(), a.Command, target.Manifest().Exports))
	}
	if r := target.stopped.Load(); r != nil {
		return nil, Deny(CodeStopped, fmt.Sprintf("messaging.call: %s is stopped: %s", target.ID(), *r))
	}
	if !target.rate.take(time.Now()) {
		return nil, Deny(CodeRateLimited, fmt.Sprintf("messaging.call: %s has too many requests: slow down", target.ID()))
	}
	if !target.inflight.enter() {
		return nil, Deny(CodeBusy, fmt.Sprintf("messaging.call: %s has too many requests in flight", target.ID()))
	}
	defer target.inflight.leave()
	args := []byte(a.Args)
	out, err := target.callBackend(context.WithValue(ctx, messagingDepthKey{}, depth+1), nil, a.Command, args)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	if !json.Valid(out) {
		return nil, Deny(CodeBackendError, fmt.Sprintf("messaging.call: %s's output is not valid JSON", target.ID()))
	}
	return out, nil
}
