package host

import (
	"context"
	"errors"
	"fmt"

	"github.com/wardenhq/warden/host/backend"
)

// ErrNoBackend reports a backend swap for a plugin whose manifest has no
// backend.
var ErrNoBackend = errors.New("the plugin has no backend")

// ReplaceBackend compiles wasm as the plugin's new backend and, once it
// is compiled and its first instance runs, makes every later call go to
// it; calls already running on the old backend finish there. It returns
// after those calls did (each is bounded by the backend's timeout) and the
// old backend is freed. When wasm does not compile or instantiate, the
// old backend stays and keeps answering, and the error says why. The
// manifest, grants and limits stay those the plugin was loaded with: a
// changed manifest needs a new Load. It costs a compilation (tens of
// milliseconds from the compilation cache, a second or two cold).
func (p *Plugin) ReplaceBackend(ctx context.Context, wasm []byte) error {
	m := p.manifest
	if m.Backend == nil {
		return fmt.Errorf("replace backend of %s: %w", m.ID, ErrNoBackend)
	}
	mod, err := p.host.compileBackend(ctx, m, wasm)
	if err != nil {
		return fmt.Errorf("replace backend of %s: %w", m.ID, err)
	}
	p.swapMu.Lock()
	if p.closed {
		p.swapMu.Unlock()
		mod.Close(ctx)
		return fmt.Errorf("replace backend of %s: %w", m.ID, backend.ErrClosed)
	}
	old := p.module.Swap(mod)
	p.swapMu.Unlock()
	p.host.log.Info("backend replaced", "plugin", m.ID)
	if old == nil {
		return nil
	}
	// Close lets the calls in flight on old finish before freeing it.
	if err := old.Close(ctx); err != nil {
		return fmt.Errorf("replace backend of %s: free the old one: %w", m.ID, err)
	}
	return nil
}

// callBackend runs export on the plugin's current backend. A call that
// found the backend just replaced (closed before the call started) runs
// on the new one: a swap never fails a call.
func (p *Plugin) callBackend(ctx context.Context, origin any, export string, input []byte) ([]byte, error) {
	for {
		m := p.module.Load()
		if m == nil {
			return nil, Deny(CodeUnknownCmd, export+": the plugin has no backend")
		}
		out, err := m.CallFrom(ctx, origin, export, input)
		if errors.Is(err, backend.ErrClosed) && p.module.Load() != m {
			continue
		}
		return out, err
	}
}
