package backend

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	extism "github.com/extism/go-sdk"
	"github.com/tetratelabs/wazero"
)

// Limits applied when a Config leaves them zero.
const (
	DefaultTimeout  = time.Second
	DefaultMemoryMB = 64
	DefaultMaxInput = 1 << 20
	// DefaultMaxOutput bounds a call's output and a host call's arguments
	// when the Config does not.
	DefaultMaxOutput = 6 << 20
	// maxGuestMessage bounds a guest's error message: it is for people, and
	// a guest must not make the core copy megabytes of it.
	maxGuestMessage = 4 << 10
)

// wasmPageSize is the WebAssembly page size; memory limits are whole pages.
const wasmPageSize = 64 << 10

// HostFunc is the core's capability gateway for guests: it must apply the permission
// decision for call.PluginID and run the command. ctx derives from the ctx passed to
// Module.Call (it carries the call's deadline).
//
// HostFunc errors become {"ok":false,...} replies; an error implementing
// interface{ Code() string } supplies the code, otherwise it is "error".
type HostFunc func(ctx context.Context, call HostCall) (result []byte, err error)

// HostCall is one warden_call a guest made.
type HostCall struct {
	// PluginID is the module's Config.PluginID.
	PluginID string
	// Origin is what Module.CallFrom was given for the call the guest is
	// running: the core passes who the call serves, explicitly rather than
	// in ctx. It is nil for Module.Call.
	Origin any
	// Command is the command name, trailing NULs removed. It is a view of
	// the guest's memory, valid only until the HostFunc returns.
	Command []byte
	// Args are the JSON arguments, trailing NULs removed; the HostFunc may
	// keep them.
	Args []byte
}

// Config describes one plugin version's backend.
type Config struct {
	PluginID string
	Version  string
	Wasm     []byte
	Timeout  time.Duration // every call always has one: 0 -> DefaultTimeout
	MemoryMB int           // 0 -> DefaultMemoryMB; enforced as wasm max pages
	MaxInput int           // 0 -> DefaultMaxInput; checked before the call; also bounds a host call's arguments
	// MaxOutput bounds a call's output (0 -> DefaultMaxOutput); it is checked
	// before the output is copied out of the guest.
	MaxOutput int
	PoolSize  int // max live instances; 0 -> runtime.GOMAXPROCS(0)
	// IdleRelease closes the module's idle instances, and so frees their
	// linear memory (several MB for a Go backend), once no call has ended
	// for that long; the next call makes a new instance (4 ms for the
	// hello example's Go backend: BenchmarkCallAfterIdle). 0 ->
	// DefaultIdleRelease; negative: never.
	IdleRelease time.Duration
	Host        HostFunc     // nil -> guest host calls get {"ok":false,"error":{"code":"unavailable"}}
	Logger      *slog.Logger // nil -> slog.Default()
	// Settings answers the guest's config_get; nil means no settings.
	Settings map[string]string
}

// Module is one plugin version compiled once and run on a pool of instances. It is safe
// for concurrent use.
type Module struct {
	engine   *Engine
	compiled *extism.CompiledPlugin
	cfg      Config
	log      *slog.Logger
	exports  map[string]struct{}
	maxBytes uint64 // memory limit in bytes

	slots chan struct{} // one token per instance that may be live
	done  chan struct{} // closed by Close
	once  sync.Once

	mu     sync.Mutex
	idle   []*instance
	closed atomic.Bool
	fast   bool // instances use the direct call path (see fastpath.go)

	// Releasing idle instances (Config.IdleRelease): the time the last
	// call ended, and a timer armed while instances may sit idle.
	lastUse atomic.Int64 // unix ns
	armed   atomic.Bool
	reaper  *time.Timer
}

// DefaultIdleRelease is Config.IdleRelease's default.
const DefaultIdleRelease = 30 * time.Second

// Compile compiles (or loads from the engine's cache) the module of one plugin version
// and makes its first instance, so a module that cannot start fails here rather than on
// the first call. One Module per plugin version, shared by all its calls.
func (e *Engine) Compile(ctx context.Context, cfg Config) (*Module, error) {
	if len(cfg.Wasm) == 0 {
		return nil, fmt.Errorf("compile %s: empty wasm", cfg.PluginID)
	}
	e.compiling.RLock()
	defer e.compiling.RUnlock()
	if e.isClosed() {
		return nil, fmt.Errorf("compile %s: %w", cfg.PluginID, ErrClosed)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MemoryMB <= 0 {
		cfg.MemoryMB = DefaultMemoryMB
	}
	if cfg.MaxInput <= 0 {
		cfg.MaxInput = DefaultMaxInput
	}
	if cfg.MaxOutput <= 0 {
		cfg.MaxOutput = DefaultMaxOutput
	}
	if cfg.PoolSize <= 0 {
		cfg.PoolSize = runtime.GOMAXPROCS(0)
	}
	if cfg.IdleRelease == 0 {
		cfg.IdleRelease = DefaultIdleRelease
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	pages := uint32(cfg.MemoryMB * (1 << 20) / wasmPageSize)
	m := &Module{
		engine:   e,
		cfg:      cfg,
		log:      cfg.Logger.With("plugin", cfg.PluginID, "version", cfg.Version),
		maxBytes: uint64(pages) * wasmPageSize,
		slots:    make(chan struct{}, cfg.PoolSize),
		done:     make(chan struct{}),
		fast:     fastPathAvailable && !forceSDKPath,
	}
	rc := wazero.NewRuntimeConfig().
		WithCompilationCache(e.cache).
		WithCloseOnContextDone(true). // without it an endless loop can never be stopped
		WithMemoryLimitPages(pages)
	manifest := extism.Manifest{
		Wasm: []extism.Wasm{extism.WasmData{Data: cfg.Wasm, Name: "main"}},
		// Vars are per instance, so with a pool they would appear and vanish at random:
		// off. Extism's own http_request is off too (no allowed hosts): HTTP goes through
		// warden_call and the permission check like every other capability.
		Memory: &extism.ManifestMemory{MaxPages: pages, MaxVarBytes: 0, MaxHttpResponseBytes: 0},
		Config: cfg.Settings,
	}
	compiled, err := extism.NewCompiledPlugin(ctx, manifest, extism.PluginConfig{
		RuntimeConfig: rc,
		EnableWasi:    true,
	}, []extism.HostFunction{m.wardenCallFunction()})
	if err != nil {
		return nil, fmt.Errorf("compile %s@%s: %w", cfg.PluginID, cfg.Version, err)
	}
	m.compiled = compiled
	first, err := m.newInstance(ctx)
	if err != nil {
		_ = compiled.Close(ctx)
		return nil, fmt.Errorf("compile %s@%s: %w", cfg.PluginID, cfg.Version, err)
	}
	m.exports = make(map[string]struct{})
	for name := range first.plugin.Module().ExportedFunctions() {
		m.exports[name] = struct{}{}
	}
	if err := e.track(m); err != nil {
		first.close(ctx)
		_ = compiled.Close(ctx)
		return nil, fmt.Errorf("compile %s: %w", cfg.PluginID, err)
	}
	m.idle = append(m.idle, first)
	if cfg.IdleRelease > 0 {
		m.lastUse.Store(time.Now().UnixNano())
		m.armed.Store(true)
		m.reaper = time.AfterFunc(cfg.IdleRelease, m.reap)
	}
	// The compiled module is all that instances need: the wasm bytes (a few
	// MB for a Go backend) are not kept for the plugin's lifetime.
	m.cfg.Wasm = nil
	return m, nil
}

// HasExport reports whether the guest exports a function called name.
func (m *Module) HasExport(name string) bool {
	_, ok := m.exports[name]
	return ok
}

// Call runs export with input on a pooled instance, waiting (ctx-aware) for a free one
// when PoolSize instances are busy. Any error or trap discards the instance; a fresh one
// is made on demand. A call running past the timeout is stopped and returns ErrTimeout.
// Input larger than MaxInput returns ErrInputTooLarge without running; output larger than
// MaxOutput returns ErrOutputTooLarge. The guest's own errors come back as *GuestError,
// their message cut to a few kilobytes.
func (m *Module) Call(ctx context.Context, export string, input []byte) ([]byte, error) {
	return m.CallFrom(ctx, nil, export, input)
}

// CallFrom is Call that hands origin to every host call the guest makes
// during it (HostCall.Origin).
func (m *Module) CallFrom(ctx context.Context, origin any, export string, input []byte) ([]byte, error) {
	if m.closed.Load() {
		return nil, ErrClosed
	}
	if len(input) > m.cfg.MaxInput {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrInputTooLarge, len(input), m.cfg.MaxInput)
	}
	if _, ok := m.exports[export]; !ok || isReservedExport(export) {
		return nil, fmt.Errorf("%w: %q", ErrNoExport, export)
	}
	select {
	case m.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for instance: %w", ctx.Err())
	case <-m.done:
		return nil, ErrClosed
	}
	defer func() { <-m.slots }()

	in, err := m.take(ctx)
	if err != nil {
		return nil, err
	}
	in.origin = origin
	out, err := in.call(ctx, export, input)
	in.origin = nil
	if err != nil {
		var ge *GuestError
		if !errors.As(err, &ge) {
			m.log.Debug("backend instance discarded", "export", export, "err", err)
		}
		in.close(context.WithoutCancel(ctx))
		return nil, err
	}
	m.put(ctx, in)
	return out, nil
}

// isReservedExport keeps runtime entry points from being called as commands.
func isReservedExport(name string) bool {
	switch name {
	case "_initialize", "_start", "__wasm_call_ctors", "hs_init":
		return true
	}
	return false
}

// take returns an idle instance or makes a new one; the caller holds a slot.
func (m *Module) take(ctx context.Context) (*instance, error) {
	m.mu.Lock()
	if n := len(m.idle); n > 0 {
		in := m.idle[n-1]
		m.idle = m.idle[:n-1]
		m.mu.Unlock()
		return in, nil
	}
	m.mu.Unlock()
	if m.closed.Load() {
		return nil, ErrClosed
	}
	return m.newInstance(ctx)
}

// put returns a healthy instance to the pool, or closes it when the module is closed.
func (m *Module) put(ctx context.Context, in *instance) {
	m.mu.Lock()
	if !m.closed.Load() {
		m.idle = append(m.idle, in)
		m.mu.Unlock()
		m.used()
		return
	}
	m.mu.Unlock()
	in.close(context.WithoutCancel(ctx))
}

// used notes that a call ended, and arms the release of idle instances.
func (m *Module) used() {
	if m.reaper == nil {
		return
	}
	m.lastUse.Store(time.Now().UnixNano())
	if m.armed.CompareAndSwap(false, true) {
		m.reaper.Reset(m.cfg.IdleRelease)
	}
}

// reap closes the idle instances once no call has ended for
// Config.IdleRelease, or waits again until then. It runs on the timer's
// goroutine.
func (m *Module) reap() {
	if m.closed.Load() {
		return
	}
	if wait := m.cfg.IdleRelease - time.Since(time.Unix(0, m.lastUse.Load())); wait > 0 {
		m.reaper.Reset(wait)
		return
	}
	m.mu.Lock()
	idle := m.idle
	m.idle = nil
	m.mu.Unlock()
	m.armed.Store(false)
	for _, in := range idle {
		in.close(context.Background())
	}
	if len(idle) > 0 {
		m.log.Debug("idle backend instances released", "instances", len(idle))
	}
	// A call that ended meanwhile may have left an instance without a timer.
	m.mu.Lock()
	more := len(m.idle) > 0
	m.mu.Unlock()
	if more && m.armed.CompareAndSwap(false, true) {
		m.reaper.Reset(m.cfg.IdleRelease)
	}
}

// Idle reports how many instances are idle in the pool (for tests and
// diagnostics).
func (m *Module) Idle() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.idle)
}

// Close stops the module: idle instances are closed now, busy ones when their call
// returns, and later calls return ErrClosed. Closing twice is a no-op.
func (m *Module) Close(ctx context.Context) error {
	var err error
	m.once.Do(func() {
		if m.reaper != nil {
			m.reaper.Stop()
		}
		m.mu.Lock()
		m.closed.Store(true)
		idle := m.idle
		m.idle = nil
		m.mu.Unlock()
		close(m.done)
		for _, in := range idle {
			in.close(ctx)
		}
		// Wait for calls in flight so the runtime is not closed under them; each returns
		// within its timeout.
		for range cap(m.slots) {
			select {
			case m.slots <- struct{}{}:
			case <-ctx.Done():
				err = fmt.Errorf("close %s: %w", m.cfg.PluginID, ctx.Err())
				m.engine.untrack(m)
				return
			}
		}
		if cerr := m.compiled.Close(ctx); cerr != nil {
			err = fmt.Errorf("close %s: %w", m.cfg.PluginID, cerr)
		}
		m.engine.untrack(m)
	})
	return err
}

// instanceConfig gives guests real clocks and randomness (wazero's defaults are fake, so
// time.Now would stand still) and captures their stderr for trap reports.
func instanceConfig(stderr *tailBuffer) wazero.ModuleConfig {
	return wazero.NewModuleConfig().
		WithSysWalltime().
		WithSysNanotime().
		WithSysNanosleep().
		WithRandSource(rand.Reader).
		WithStderr(stderr)
}
