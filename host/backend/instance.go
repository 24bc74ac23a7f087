package backend

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	extism "github.com/extism/go-sdk"
	"github.com/tetratelabs/wazero/sys"
)

// instance is one live copy of a module. It is used by one call at a time.
type instance struct {
	m      *Module
	plugin *extism.Plugin
	stderr *tailBuffer
	fast   *fastInstance // nil on the SDK path
	origin any           // the running call's (Module.CallFrom)
}

// instanceKey finds the running instance from a host function's ctx.
type instanceKey struct{}

func (m *Module) newInstance(ctx context.Context) (*instance, error) {
	stderr := &tailBuffer{max: 2048}
	p, err := m.compiled.Instance(withLinearMemory(ctx), extism.PluginInstanceConfig{ModuleConfig: instanceConfig(stderr)})
	if err != nil {
		return nil, fmt.Errorf("new instance: %w", err)
	}
	in := &instance{m: m, plugin: p, stderr: stderr}
	if m.fast {
		f, err := newFastInstance(in)
		if err == nil {
			err = f.initialize(ctx, m.cfg.Timeout)
		}
		if err != nil {
			in.close(ctx)
			return nil, fmt.Errorf("new instance: %w", m.classify(ctx, in, err))
		}
		in.fast = f
	}
	return in, nil
}

func (in *instance) close(ctx context.Context) {
	_ = in.plugin.Close(ctx)
}

// call runs export once. Errors are classified into the package's sentinels.
func (in *instance) call(ctx context.Context, export string, input []byte) ([]byte, error) {
	if in.fast != nil {
		out, err := in.fast.call(ctx, in.m.cfg.Timeout, export, input)
		if err != nil {
			return nil, in.m.classify(ctx, in, err)
		}
		return out, nil
	}
	tctx, cancel := context.WithTimeout(context.WithValue(ctx, instanceKey{}, in), in.m.cfg.Timeout)
	defer cancel()
	rc, out, err := in.plugin.CallWithContext(tctx, export, input)
	if err != nil {
		// The SDK reports a guest's error_set as a plain error carrying the message.
		if msg := in.plugin.GetErrorWithContext(context.Background()); msg != "" && msg == err.Error() {
			return nil, &GuestError{Message: clipMessage(msg)}
		}
		return nil, in.m.classify(ctx, in, err)
	}
	if rc != 0 {
		return nil, &GuestError{Message: fmt.Sprintf("export %s returned %d", export, rc)}
	}
	if len(out) > in.m.cfg.MaxOutput {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrOutputTooLarge, len(out), in.m.cfg.MaxOutput)
	}
	return out, nil
}

// clipMessage cuts a guest's error message to maxGuestMessage bytes, at a
// character boundary.
func clipMessage(msg string) string {
	if len(msg) <= maxGuestMessage {
		return msg
	}
	cut := maxGuestMessage
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return msg[:cut] + "…"
}

// classify maps a failed call onto ErrTimeout, the caller's ctx error, ErrMemoryLimit or
// ErrTrap, keeping the runtime's text (and the guest's stderr) for the log.
func (m *Module) classify(ctx context.Context, in *instance, err error) error {
	var ge *GuestError
	if errors.As(err, &ge) || errors.Is(err, ErrOutputTooLarge) {
		return err
	}
	var exit *sys.ExitError
	if errors.As(err, &exit) {
		switch exit.ExitCode() {
		case sys.ExitCodeDeadlineExceeded, sys.ExitCodeContextCanceled:
			if cerr := ctx.Err(); cerr != nil {
				return fmt.Errorf("backend call: %w", cerr)
			}
			return fmt.Errorf("%w after %v", ErrTimeout, m.cfg.Timeout)
		}
	}
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("backend call: %w", cerr)
	}
	detail := err.Error()
	if tail := in.stderr.String(); tail != "" {
		detail += ": " + tail
	}
	if in.atMemoryLimit() || strings.Contains(detail, "out of memory") {
		return fmt.Errorf("%w: %w: %s", ErrMemoryLimit, ErrTrap, detail)
	}
	return fmt.Errorf("%w: %s", ErrTrap, detail)
}

// goArenaSlack is how far below the limit a Go guest's heap growth can fail: its
// allocator asks for memory in multi-megabyte steps.
const goArenaSlack = 8 << 20

// atMemoryLimit reports whether the guest's memory has grown close to the limit.
func (in *instance) atMemoryLimit() bool {
	if in.fast == nil {
		return false
	}
	mem := in.fast.main.Memory()
	if mem == nil {
		return false
	}
	return uint64(mem.Size())+goArenaSlack >= in.m.maxBytes
}

// tailBuffer keeps the last max bytes written to it (a guest's stderr).
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

// Write implements io.Writer.
func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

// String returns the kept text, trimmed.
func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.buf))
}
