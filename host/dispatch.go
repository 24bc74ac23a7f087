package host

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/wardenhq/warden/host/fetch"
	"github.com/wardenhq/warden/host/files"
	"github.com/wardenhq/warden/permissions"
)

// dispatch decides one request and, if allowed, runs it. Every path
// through it decides before a capability runs: the capability's
// permission here, or the resource in a scoped capability's handler
// (checked after it returns: a handler that did not decide has its result
// dropped).
func (h *Host) dispatch(ctx context.Context, p *Plugin, l *Launch, cmd string, args []byte, from Caller) ([]byte, error) {
	if len(cmd) == 0 || len(cmd) > maxCmd {
		return nil, Deny(CodeMalformed, fmt.Sprintf("command must be 1 to %d bytes", maxCmd))
	}
	c, ok := h.capability(cmd)
	if !ok {
		return nil, Deny(CodeUnknownCmd, fmt.Sprintf("%s: no such command (the core's are %s; \"%s<name>\" calls the plugin's backend)", cmd, strings.Join(h.order, ", "), permissions.BackendPrefix))
	}
	call := &Call{Plugin: p, Launch: l, Caller: from, Command: c.Command, Args: args, subject: p.subject.Load(), perm: c.Permission}
	if !c.Scoped {
		if err := call.Decide(permissions.Request{}); err != nil {
			return nil, err
		}
	}
	if c.Callers&from == 0 {
		if from == FromBackend {
			return nil, Deny(CodeNotFromGuest, fmt.Sprintf("a backend cannot invoke %s", c.Command))
		}
		return nil, Deny(CodeBackendOnly, fmt.Sprintf("%s is for backends only", c.Command))
	}
	out, err := c.Handle(ctx, call)
	if err == nil && !call.decided {
		h.log.Error("capability returned without a decision: result dropped", "command", c.Command, "plugin", p.ID())
		return nil, fmt.Errorf("capability %s did not decide", c.Command)
	}
	return out, err
}

// backendExport runs a "backend.<name>" command: the plugin backend's
// export of that name, with the page's launch as the call's origin (host
// calls it makes belong to that launch).
func (h *Host) backendExport(ctx context.Context, c *Call) ([]byte, error) {
	var origin any
	if c.Launch != nil {
		origin = c.Launch
	}
	out, err := c.Plugin.callBackend(ctx, origin, strings.TrimPrefix(c.Command, permissions.BackendPrefix), c.Args)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	if !json.Valid(out) {
		return nil, Deny(CodeBackendError, c.Command+": the backend's output is not JSON")
	}
	return out, nil
}

type keyArgs struct {
	Key string `json:"key"`
}

type setArgs struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type listArgs struct {
	Prefix string `json:"prefix,omitempty"`
}

type getResult struct {
	Value *string `json:"value"`
	Found bool    `json:"found"`
}

func (h *Host) storageGet(_ context.Context, c *Call) ([]byte, error) {
	var a keyArgs
	if err := decodeArgs(c.Command, c.Args, &a); err != nil {
		return nil, err
	}
	v, found, err := h.store.Get(c.Plugin.space.storage, a.Key)
	if err != nil {
		return nil, err
	}
	r := getResult{Found: found}
	if found {
		s := string(v)
		r.Value = &s
	}
	return json.Marshal(r)
}

func (h *Host) storageSet(_ context.Context, c *Call) ([]byte, error) {
	var a setArgs
	if err := decodeArgs(c.Command, c.Args, &a); err != nil {
		return nil, err
	}
	return nil, h.store.Set(c.Plugin.space.storage, a.Key, []byte(a.Value), h.limits.StorageQuota)
}

func (h *Host) storageDelete(_ context.Context, c *Call) ([]byte, error) {
	var a keyArgs
	if err := decodeArgs(c.Command, c.Args, &a); err != nil {
		return nil, err
	}
	return nil, h.store.Delete(c.Plugin.space.storage, a.Key)
}

func (h *Host) storageList(_ context.Context, c *Call) ([]byte, error) {
	var a listArgs
	if len(c.Args) > 0 {
		if err := decodeArgs(c.Command, c.Args, &a); err != nil {
			return nil, err
		}
	}
	keys, err := h.store.List(c.Plugin.space.storage, a.Prefix, 0)
	if err != nil {
		return nil, err
	}
	if keys == nil {
		keys = []string{}
	}
	return json.Marshal(struct {
		Keys []string `json:"keys"`
	}{keys})
}

type fsWriteArgs struct {
	Path string `json:"path"`
	Data []byte `json:"data,omitempty"`
}

type fsReadArgs struct {
	Path string `json:"path"`
}

type fsReadResult struct {
	Data []byte `json:"data"`
}

// fsPath decides an fs request on its resolved path, which is also the
// path that gets opened, so ".." and symlinks cannot lead elsewhere.
func fsPath(c *Call, given string) (string, error) {
	path, err := permissions.ResolvePath(c.Plugin.env, given)
	if err != nil {
		return "", err
	}
	return path, c.Decide(permissions.Request{Path: path})
}

func (h *Host) fsWrite(ctx context.Context, c *Call) ([]byte, error) {
	var a fsWriteArgs
	if err := decodeArgs(c.Command, c.Args, &a); err != nil {
		return nil, err
	}
	path, err := fsPath(c, a.Path)
	if err != nil {
		return nil, err
	}
	return nil, files.Write(ctx, path, a.Data, h.limits.MaxFileWrite)
}

func (h *Host) fsRead(ctx context.Context, c *Call) ([]byte, error) {
	var a fsReadArgs
	if err := decodeArgs(c.Command, c.Args, &a); err != nil {
		return nil, err
	}
	path, err := fsPath(c, a.Path)
	if err != nil {
		return nil, err
	}
	data, err := files.Read(ctx, path, min(h.limits.MaxFileRead, h.maxBinaryResult()))
	if err != nil {
		return nil, err
	}
	if data == nil {
		data = []byte{} // "" rather than null: the result's data is always a string
	}
	return json.Marshal(fsReadResult{Data: data})
}

func (h *Host) httpFetch(ctx context.Context, c *Call) ([]byte, error) {
	var req fetch.Request
	if err := decodeArgs(c.Command, c.Args, &req); err != nil {
		return nil, err
	}
	// Decided in the canonical form that DoWith sends, so that
	// "/api/../admin" is judged as the "/admin" a server would serve.
	u, err := fetch.ParseURL(req.URL)
	if err != nil {
		return nil, Deny(CodeBadArgs, "bad url: "+err.Error())
	}
	if err := c.Decide(permissions.Request{URL: u}); err != nil {
		return nil, err
	}
	first := true
	resp, err := h.fetcher.DoWith(ctx, req, func(u *url.URL) error {
		err := c.Decide(permissions.Request{URL: u})
		if err != nil && !first {
			err = fmt.Errorf("%w to %s: %w", errRedirect, u.Redacted(), err)
		}
		first = false
		return err
	})
	if err != nil {
		return nil, err
	}
	return json.Marshal(resp)
}

type logArgs struct {
	Level   string `json:"level,omitempty"`
	Message string `json:"message"`
}

const maxLogMessage = 4 << 10

func (h *Host) logWrite(ctx context.Context, c *Call) ([]byte, error) {
	var a logArgs
	if err := decodeArgs(c.Command, c.Args, &a); err != nil {
		return nil, err
	}
	var level slog.Level
	switch a.Level {
	case "debug":
		level = slog.LevelDebug
	case "info", "":
		level = slog.LevelInfo
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	default:
		return nil, Deny(CodeBadArgs, `log level must be "debug", "info", "warn" or "error"`)
	}
	msg := a.Message
	if len(msg) > maxLogMessage {
		msg = msg[:maxLogMessage] + "…"
	}
	h.log.Log(ctx, level, msg, "plugin", c.Plugin.ID(), "source", "plugin")
	return nil, nil
}

type emitArgs struct {
	Event   string          `json:"event"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

func (h *Host) emitEvent(_ context.Context, c *Call) ([]byte, error) {
	var a emitArgs
	if err := decodeArgs(c.Command, c.Args, &a); err != nil {
		return nil, err
	}
	if a.Event == "" || len(a.Event) > maxCmd {
		return nil, Deny(CodeBadArgs, fmt.Sprintf("event name must be 1 to %d bytes", maxCmd))
	}
	// An event goes to the UI in one frame, like a reply.
	if n := len(a.Event) + len(a.Payload) + replyOverhead; n > h.limits.MaxReply {
		return nil, Deny(CodeTooLarge, fmt.Sprintf("event too large: %d bytes, limit %d", n, h.limits.MaxReply))
	}
	if c.Launch == nil || !c.Launch.emit(Event{Name: a.Event, Payload: a.Payload}) {
		return nil, Deny(CodeFailed, "no UI is listening for events")
	}
	return nil, nil
}

// maxBinaryResult is the most bytes a result carrying them base64-encoded
// (fs.read's data) may hold and still fit in one reply, with room for a
// little JSON around them. It is at least 1: a limit of 0 would mean none.
func (h *Host) maxBinaryResult() int64 {
	const room = 256
	return max(int64(h.limits.MaxReply-replyOverhead-room)/4*3, 1)
}
