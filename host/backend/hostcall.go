package backend

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	extism "github.com/extism/go-sdk"

	"github.com/wardenhq/warden/internal/jsonwire"
)

// wardenCallFunction is the single capability gateway exported to guests as
// extism:host/user warden_call(cmd i64, args i64) i64: cmd and args are kernel blocks
// (a UTF-8 command name and JSON; trailing NULs are ignored so guests may pad short
// blocks), the result is a new block holding {"ok":true,"result":...} or
// {"ok":false,"error":{"code":...,"message":...}}.
func (m *Module) wardenCallFunction() extism.HostFunction {
	return extism.NewHostFunctionWithStack("warden_call", m.wardenCall,
		[]extism.ValueType{extism.ValueTypePTR, extism.ValueTypePTR},
		[]extism.ValueType{extism.ValueTypePTR})
}

func (m *Module) wardenCall(ctx context.Context, cp *extism.CurrentPlugin, stack []uint64) {
	in, _ := ctx.Value(instanceKey{}).(*instance)
	var (
		cmd     []byte
		args    []byte
		readErr error
	)
	if in != nil && in.fast != nil {
		var c, a []byte
		if c, readErr = in.fast.blockView(stack[0]); readErr == nil {
			a, readErr = in.fast.blockView(stack[1])
		}
		cmd = bytes.TrimRight(c, "\x00")
		// Arguments over the limit are refused below without being copied.
		if a = bytes.TrimRight(a, "\x00"); len(a) <= m.cfg.MaxInput {
			args = bytes.Clone(a)
		} else {
			args = a
		}
	} else {
		var c []byte
		if c, readErr = cp.ReadBytes(stack[0]); readErr == nil {
			args, readErr = cp.ReadBytes(stack[1])
		}
		cmd = bytes.TrimRight(c, "\x00")
		args = bytes.TrimRight(args, "\x00")
	}
	if readErr != nil {
		// A guest passing bad offsets is broken: trap, which discards the instance.
		panic(fmt.Errorf("warden_call: read arguments: %w", readErr))
	}

	var buf []byte
	if in != nil && in.fast != nil {
		buf = in.fast.reply[:0]
	}
	switch {
	case m.cfg.Host == nil:
		buf = appendFailure(buf, "unavailable", "no capabilities are available to this backend")
	case len(args) > m.cfg.MaxInput:
		buf = appendFailure(buf, "too_large", fmt.Sprintf("host call arguments too large: %d bytes, limit %d", len(args), m.cfg.MaxInput))
	case len(cmd) == 0:
		buf = appendFailure(buf, "invalid", "empty command")
	default:
		var origin any
		if in != nil {
			origin = in.origin
		}
		result, err := m.cfg.Host(ctx, HostCall{PluginID: m.cfg.PluginID, Origin: origin, Command: cmd, Args: args})
		buf = appendReply(buf, result, err)
	}
	var off uint64
	var werr error
	if in != nil && in.fast != nil {
		in.fast.reply = buf
		off, werr = in.fast.writeBlock(buf)
	} else {
		off, werr = cp.WriteBytes(buf)
	}
	if werr != nil {
		panic(fmt.Errorf("warden_call: write reply: %w", werr))
	}
	stack[0] = off
}

// appendReply appends the gateway's JSON reply for (result, err) to buf:
// an error's code comes from its Code method (see [HostFunc]).
func appendReply(buf, result []byte, err error) []byte {
	if err != nil {
		code := "error"
		var c interface{ Code() string }
		if errors.As(err, &c) && c.Code() != "" {
			code = c.Code()
		}
		return appendFailure(buf, code, err.Error())
	}
	buf = append(buf, `{"ok":true,"result":`...)
	if len(bytes.TrimSpace(result)) == 0 {
		buf = append(buf, "null"...)
	} else {
		buf = append(buf, result...)
	}
	return append(buf, '}')
}

// appendFailure appends the gateway's JSON reply for a failure with code
// and msg to buf.
func appendFailure(buf []byte, code, msg string) []byte {
	buf = append(buf, `{"ok":false,"error":{"code":`...)
	buf = jsonwire.AppendString(buf, code)
	buf = append(buf, `,"message":`...)
	buf = jsonwire.AppendString(buf, msg)
	return append(buf, "}}"...)
}
