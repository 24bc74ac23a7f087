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

const maxCmd = 128

// dispatch decides one request and, if allowed, runs it. Every path through
// it calls the plugin's subject before touching a capability.
func (h *Host) dispatch(ctx context.Context, p *Plugin, l *Launch, cmd string, args []byte, from origin) ([]byte, error) {
	if len(cmd) == 0 || len(cmd) > maxCmd {
		return nil, deny(CodeMalformed, fmt.Sprintf("command must be 1 to %d bytes", maxCmd))
	}
	perm, ok := permissions.PermissionFor(cmd)
	if !ok {
		return nil, deny(CodeUnknownCmd, fmt.Sprintf("unknown command %q", cmd))
	}
	s := p.subject.Load()
	switch cmd {
	case "storage.get", "storage.set", "storage.delete", "storage.list":
		if err := s.Decide(permissions.Request{Permission: perm}); err != nil {
			return nil, err
		}
		return h.storageCall(p, cmd, args)
	case "fs.read", "fs.write":
		return h.fsCall(ctx, p, s, perm, args)
	case "http.fetch":
		return h.httpCall(ctx, s, args)
	case "log":
		if err := s.Decide(permissions.Request{Permission: perm}); err != nil {
			return nil, err
		}
		return h.logCall(ctx, p, args)
	case "event.emit":
		if err := s.Decide(permissions.Request{Permission: perm}); err != nil {
			return nil, err
		}
		if from != fromBackend {
			return nil, deny(CodeBackendOnly, "event.emit is for backends; the UI already has the data")
		}
		return h.emitCall(l, args)
	}
	// backend.<export>
	if err := s.Decide(permissions.Request{Permission: perm}); err != nil {
		return nil, err
	}
	if from == fromBackend {
		return nil, deny(CodeNotFromGuest, "a backend cannot invoke backend commands")
	}
	if p.module == nil {
		return nil, deny(CodeUnknownCmd, "plugin has no backend")
	}
	out, err := p.module.Call(withLaunch(ctx, l), strings.TrimPrefix(cmd, "backend."), args)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	if !json.Valid(out) {
		return nil, &codedError{code: CodeBackendError, msg: "backend output is not valid JSON"}
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
	Prefix string `json:"prefix"`
}

type getResult struct {
	Value *string `json:"value"`
	Found bool    `json:"found"`
}

func (h *Host) storageCall(p *Plugin, cmd string, args []byte) ([]byte, error) {
	switch cmd {
	case "storage.get":
		var a keyArgs
		if err := decodeArgs(args, &a); err != nil {
			return nil, err
		}
		v, found, err := h.store.Get(p.ID(), a.Key)
		if err != nil {
			return nil, err
		}
		r := getResult{Found: found}
		if found {
			s := string(v)
			r.Value = &s
		}
		return json.Marshal(r)
	case "storage.set":
		var a setArgs
		if err := decodeArgs(args, &a); err != nil {
			return nil, err
		}
		return nil, h.store.Set(p.ID(), a.Key, []byte(a.Value), h.limits.StorageQuota)
	case "storage.delete":
		var a keyArgs
		if err := decodeArgs(args, &a); err != nil {
			return nil, err
		}
		return nil, h.store.Delete(p.ID(), a.Key)
	default: // storage.list
		var a listArgs
		if len(args) > 0 {
			if err := decodeArgs(args, &a); err != nil {
				return nil, err
			}
		}
		keys, err := h.store.List(p.ID(), a.Prefix, 0)
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
}

type fsArgs struct {
	Path string `json:"path"`
	Data []byte `json:"data,omitempty"`
}

func (h *Host) fsCall(ctx context.Context, p *Plugin, s *permissions.Subject, perm string, args []byte) ([]byte, error) {
	var a fsArgs
	if err := decodeArgs(args, &a); err != nil {
		return nil, err
	}
	// The decision is made on the resolved path, and that same path is
	// what gets opened, so ".." and symlinks cannot lead elsewhere.
	path, err := permissions.ResolvePath(p.env, a.Path)
	if err != nil {
		return nil, err
	}
	if err := s.Decide(permissions.Request{Permission: perm, Path: path}); err != nil {
		return nil, err
	}
	if perm == "fs.write" {
		return nil, files.Write(ctx, path, a.Data, h.limits.MaxFileWrite)
	}
	if a.Data != nil {
		return nil, deny(CodeBadArgs, "fs.read takes no data")
	}
	data, err := files.Read(ctx, path, min(h.limits.MaxFileRead, h.maxBinaryResult()))
	if err != nil {
		return nil, err
	}
	return json.Marshal(fsArgs{Data: data})
}

func (h *Host) httpCall(ctx context.Context, s *permissions.Subject, args []byte) ([]byte, error) {
	var req fetch.Request
	if err := decodeArgs(args, &req); err != nil {
		return nil, err
	}
	// Decided in the canonical form that DoWith sends, so that
	// "/api/../admin" is judged as the "/admin" a server would serve.
	u, err := fetch.ParseURL(req.URL)
	if err != nil {
		return nil, deny(CodeBadArgs, "bad url: "+err.Error())
	}
	if err := s.Decide(permissions.Request{Permission: "http", URL: u}); err != nil {
		return nil, err
	}
	first := true
	resp, err := h.fetcher.DoWith(ctx, req, func(u *url.URL) error {
		err := s.Decide(permissions.Request{Permission: "http", URL: u})
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
	Level   string `json:"level"`
	Message string `json:"message"`
}

const maxLogMessage = 4 << 10

func (h *Host) logCall(ctx context.Context, p *Plugin, args []byte) ([]byte, error) {
	var a logArgs
	if err := decodeArgs(args, &a); err != nil {
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
		return nil, deny(CodeBadArgs, `log level must be "debug", "info", "warn" or "error"`)
	}
	msg := a.Message
	if len(msg) > maxLogMessage {
		msg = msg[:maxLogMessage] + "…"
	}
	h.log.Log(ctx, level, msg, "plugin", p.ID(), "source", "plugin")
	return nil, nil
}

type emitArgs struct {
	Event   string          `json:"event"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

func (h *Host) emitCall(l *Launch, args []byte) ([]byte, error) {
	var a emitArgs
	if err := decodeArgs(args, &a); err != nil {
		return nil, err
	}
	if a.Event == "" || len(a.Event) > maxCmd {
		return nil, deny(CodeBadArgs, fmt.Sprintf("event name must be 1 to %d bytes", maxCmd))
	}
	// An event goes to the UI in one frame, like a reply.
	if n := len(a.Event) + len(a.Payload) + replyOverhead; n > h.limits.MaxReply {
		return nil, deny(CodeTooLarge, fmt.Sprintf("event too large: %d bytes, limit %d", n, h.limits.MaxReply))
	}
	if l == nil || !l.emit(Event{Name: a.Event, Payload: a.Payload}) {
		return nil, &codedError{code: CodeFailed, msg: "no UI is listening for events"}
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
