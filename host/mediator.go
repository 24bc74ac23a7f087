package host

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wardenhq/warden/host/audit"
	"github.com/wardenhq/warden/host/backend"
	"github.com/wardenhq/warden/isolation"
)

// Invoke mediates one envelope that arrived on l's connection and returns
// the reply. It never panics on hostile input and always writes one audit
// entry. The checks run cheapest first so that a flood costs little:
// stopped, rate, in-flight, then the envelope (size, authentication,
// binding, replay, order), then the decision and the capability.
func (h *Host) Invoke(ctx context.Context, l *Launch, envelope []byte) Reply {
	a, rep, ok := h.Admit(l, envelope)
	if !ok {
		return rep
	}
	return a.Run(ctx)
}

// Admitted is a request that passed the envelope checks and waits to be
// decided and run. Run or RunThen must be called exactly once.
type Admitted struct {
	h     *Host
	l     *Launch
	req   isolation.Request
	entry audit.Entry
}

// Admit runs the order-sensitive half of [Host.Invoke]: limits and the
// envelope (whose seq check depends on arrival order). A connection calls
// it for each envelope in the order they arrived and may then Run the
// admitted requests concurrently. When ok is false, rep is the denial,
// already audited.
func (h *Host) Admit(l *Launch, envelope []byte) (a *Admitted, rep Reply, ok bool) {
	p := l.plugin
	now := time.Now()
	entry := audit.Entry{Time: now, Plugin: p.ID(), Launch: l.id}

	if r := p.stopped.Load(); r != nil {
		return nil, h.answer(entry, 0, nil, Deny(CodeStopped, "plugin is stopped: "+*r)), false
	}
	if !p.rate.take(now) {
		return nil, h.answer(entry, 0, nil, Deny(CodeRateLimited, "too many requests: slow down")), false
	}
	if !p.inflight.enter() {
		return nil, h.answer(entry, 0, nil, Deny(CodeBusy, "too many requests in flight")), false
	}
	req, err := l.opener.Open(envelope)
	if err != nil {
		p.inflight.leave()
		return nil, h.answer(entry, 0, nil, err), false
	}
	entry.Cmd = req.Cmd
	return &Admitted{h: h, l: l, req: req, entry: entry}, Reply{}, true
}

// Refuse audits and answers an envelope refused before it could be read
// (its frame was too large), after spending a rate token for it, so that a
// flood of them is limited like any other.
func (h *Host) Refuse(l *Launch, err error) Reply {
	p := l.plugin
	entry := audit.Entry{Time: time.Now(), Plugin: p.ID(), Launch: l.id}
	if !p.rate.take(entry.Time) {
		err = Deny(CodeRateLimited, "too many requests: slow down")
	}
	return h.answer(entry, 0, nil, err)
}

// Run decides and dispatches an admitted request and returns the reply.
func (a *Admitted) Run(ctx context.Context) Reply {
	var rep Reply
	a.RunThen(ctx, func(r Reply) { rep = r })
	return rep
}

// RunThen is Run that hands the reply to deliver before the request leaves
// the plugin's in-flight count: replies a slow reader has not taken yet
// still count against MaxInFlight, so they cannot pile up in the core.
func (a *Admitted) RunThen(ctx context.Context, deliver func(Reply)) {
	defer a.l.plugin.inflight.leave()
	result, err := a.h.dispatch(ctx, a.l.plugin, a.l, a.req.Cmd, a.req.Args, FromPage)
	deliver(a.h.answer(a.entry, a.req.ID, result, err))
}

// answer audits the outcome and builds the reply. A result too large for
// one reply becomes a reply_too_large error, and an error message is cut
// to maxMessage, so every reply fits in one IPC frame.
func (h *Host) answer(e audit.Entry, id uint64, result []byte, err error) Reply {
	if err == nil {
		err = h.checkReply(result)
	}
	if err == nil {
		e.Allowed = true
		h.audit.Record(e)
		return Reply{ID: id, OK: true, Result: result}
	}
	code := codeOf(err)
	msg := clip(err.Error(), maxMessage)
	e.Allowed = !code.Denial()
	e.Reason = string(code)
	e.Detail = msg
	h.audit.Record(e)
	return Reply{ID: id, Error: &ReplyError{Code: code, Message: msg}}
}

// checkReply returns ErrReplyTooLarge when result, sent as a reply, would
// exceed Limits.MaxReply.
func (h *Host) checkReply(result []byte) error {
	if n := len(result) + replyOverhead; n > h.limits.MaxReply {
		return fmt.Errorf("%w: %d bytes, limit %d", ErrReplyTooLarge, n, h.limits.MaxReply)
	}
	return nil
}

// hostCall is the backends' capability gateway: a guest's warden_call lands
// here and passes the same decision and dispatch as a page's request. The
// call's origin is the launch whose request the backend is serving (see
// backendExport), or nil.
func (h *Host) hostCall(ctx context.Context, hc backend.HostCall) ([]byte, error) {
	l, _ := hc.Origin.(*Launch)
	pluginID, cmd, args := hc.PluginID, h.command(hc.Command), hc.Args
	var p *Plugin
	if l != nil && l.plugin.ID() == pluginID {
		p = l.plugin
	} else {
		p = h.Plugin(pluginID)
	}
	e := audit.Entry{Time: time.Now(), Plugin: pluginID, Cmd: cmd}
	if p == nil {
		err := Deny(CodeStopped, "plugin is not loaded")
		h.answer(e, 0, nil, err)
		return nil, guestError{CodeStopped, err}
	}
	if l != nil {
		e.Launch = l.id
	}
	if r := p.stopped.Load(); r != nil {
		err := Deny(CodeStopped, "plugin is stopped: "+*r)
		h.answer(e, 0, nil, err)
		return nil, guestError{CodeStopped, err}
	}
	// A backend's host calls spend the plugin's budget like its UI's
	// invokes, so a backend looping on them is throttled the same way.
	if !p.rate.take(e.Time) {
		err := Deny(CodeRateLimited, "too many requests: slow down")
		h.answer(e, 0, nil, err)
		return nil, guestError{CodeRateLimited, err}
	}
	// A host call made while its backend runs an admitted invoke (its
	// origin says so: backendExport passes it only for those) is part
	// of that invoke and uses its in-flight slot: the guest waits for the
	// call, so the invoke never has more than one running. Taking a second
	// slot would count the same work twice and, with every slot taken by
	// invokes, refuse all their host calls. Any other host call takes one.
	if l == nil || l.plugin != p {
		if !p.inflight.enter() {
			err := Deny(CodeBusy, "too many requests in flight")
			h.answer(e, 0, nil, err)
			return nil, guestError{CodeBusy, err}
		}
		defer p.inflight.leave()
	}
	result, err := h.dispatch(ctx, p, l, cmd, args, FromBackend)
	if err == nil {
		err = h.checkReply(result)
	}
	rep := h.answer(e, 0, result, err)
	if err != nil {
		return nil, guestError{rep.Error.Code, err}
	}
	return result, nil
}

// guestError hands a guest the code of a failed host call.
type guestError struct {
	code Code
	err  error
}

func (e guestError) Error() string { return e.err.Error() }
func (e guestError) Unwrap() error { return e.err }

// Code returns the reply code the guest sees.
func (e guestError) Code() string { return string(e.code) }

var errRedirect = errors.New("redirect")
