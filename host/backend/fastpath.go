package backend

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"
	"unsafe"

	extism "github.com/extism/go-sdk"
	"github.com/tetratelabs/wazero/api"
)

// The direct call path.
//
// Extism's Plugin.CallWithContext, and the kernel functions it wires into the guest
// (extism:host/env), look up every kernel export by name on each use. In wazero each
// lookup builds a new call engine with a 10 KB stack, so one small call that reads its
// input, writes output and makes a few host calls allocates 150-300 KB and spends most of
// its time in the garbage collector.
//
// The SDK's env functions find the kernel through the call's context (key "extism"). The
// direct path puts a wrapper of the kernel module there whose ExportedFunction returns
// functions looked up once per instance, and runs the SDK's call sequence (reset, input,
// call, error, output) itself with the same cached functions. Instances, host modules,
// WASI and guest start-up stay the SDK's. The two module handles the SDK keeps private
// are read once per instance with reflect; if a future SDK renames them, instances fall
// back to CallWithContext (fastPathAvailable is false).

// Context keys the SDK's kernel glue reads.
var (
	keyKernel      any = extism.PluginCtxKey("extism")
	keyPlugin      any = extism.PluginCtxKey("plugin")
	keyInputOffset any = extism.InputOffsetKey("inputOffset")
)

// forceSDKPath makes new modules use CallWithContext (tests compare both paths).
var forceSDKPath = false

// fastPathAvailable reports whether this SDK version has the fields the direct path reads.
var fastPathAvailable = func() bool {
	t := reflect.TypeFor[extism.Plugin]()
	mod := reflect.TypeFor[api.Module]()
	for _, name := range []string{"extism", "mainModule"} {
		f, ok := t.FieldByName(name)
		if !ok || f.Type != mod {
			return false
		}
	}
	return true
}()

// privateModule reads one of the SDK's unexported api.Module fields of p.
func privateModule(p *extism.Plugin, name string) (api.Module, error) {
	v := reflect.ValueOf(p).Elem().FieldByName(name)
	if !v.IsValid() || v.Type() != reflect.TypeFor[api.Module]() {
		return nil, fmt.Errorf("extism plugin has no %s module", name)
	}
	m, _ := reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem().Interface().(api.Module)
	if m == nil {
		return nil, fmt.Errorf("extism plugin %s module is nil", name)
	}
	return m, nil
}

// kernel is the Extism kernel module with its exports looked up once.
type kernel struct {
	api.Module
	funcs map[string]api.Function
}

// ExportedFunction returns the cached function; it is what the SDK's env glue calls on
// every guest kernel call.
func (k *kernel) ExportedFunction(name string) api.Function {
	if f, ok := k.funcs[name]; ok {
		return f
	}
	return k.Module.ExportedFunction(name)
}

// fastInstance is the per-instance state of the direct path.
type fastInstance struct {
	in     *instance
	kernel *kernel
	main   api.Module
	mem    api.Memory // the kernel's memory, where blocks live

	reset, alloc, inputSet, errorGet, length, outputOffset, outputLength api.Function

	exports     map[string]api.Function
	inputOffset uint64
	inputAny    any // inputOffset boxed once, not on every input_load_u64
	stack       [2]uint64
	reply       []byte // reused buffer for warden_call replies
}

func newFastInstance(in *instance) (*fastInstance, error) {
	km, err := privateModule(in.plugin, "extism")
	if err != nil {
		return nil, err
	}
	main, err := privateModule(in.plugin, "mainModule")
	if err != nil {
		return nil, err
	}
	k := &kernel{Module: km, funcs: make(map[string]api.Function)}
	for name := range km.ExportedFunctionDefinitions() {
		k.funcs[name] = km.ExportedFunction(name)
	}
	f := &fastInstance{
		in: in, kernel: k, main: main, mem: km.ExportedMemory("memory"),
		exports: make(map[string]api.Function),
	}
	for name, dst := range map[string]*api.Function{
		"reset": &f.reset, "alloc": &f.alloc, "input_set": &f.inputSet, "error_get": &f.errorGet,
		"length": &f.length, "output_offset": &f.outputOffset, "output_length": &f.outputLength,
	} {
		if *dst = k.funcs[name]; *dst == nil {
			return nil, fmt.Errorf("extism kernel has no %s", name)
		}
	}
	if f.mem == nil {
		return nil, errors.New("extism kernel has no memory")
	}
	f.inputAny = f.inputOffset
	return f, nil
}

// callCtx is the context of one guest call: the caller's values and deadline plus the
// keys the SDK's kernel glue and warden_call look up.
type callCtx struct {
	context.Context
	f *fastInstance
}

// Value answers the SDK's keys without a chain of context.WithValue per call.
func (c *callCtx) Value(key any) any {
	switch key {
	case keyKernel:
		return api.Module(c.f.kernel)
	case keyPlugin:
		return c.f.in.plugin
	case keyInputOffset:
		return c.f.inputAny
	case instanceKey{}:
		return c.f.in
	}
	return c.Context.Value(key)
}

// kcall calls a kernel function with the instance's scratch stack. Kernel functions never
// call back into the host, so a background context is enough.
func (f *fastInstance) kcall(fn api.Function, a, b uint64) (uint64, error) {
	f.stack[0], f.stack[1] = a, b
	if err := fn.CallWithStack(context.Background(), f.stack[:]); err != nil {
		return 0, err
	}
	return f.stack[0], nil
}

// initialize runs the guest's runtime start-up (WASI reactor _initialize), which the SDK
// would otherwise do on the first CallWithContext.
func (f *fastInstance) initialize(ctx context.Context, timeout time.Duration) error {
	init := f.main.ExportedFunction("_initialize")
	if init == nil {
		init = f.main.ExportedFunction("__wasm_call_ctors")
	}
	if init == nil || len(init.Definition().ParamTypes()) != 0 {
		return nil
	}
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if _, err := f.kcall(f.reset, 0, 0); err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	var stack [1]uint64
	if err := init.CallWithStack(&callCtx{Context: tctx, f: f}, stack[:]); err != nil {
		return fmt.Errorf("initialize guest: %w", err)
	}
	return nil
}

// call runs export the way Plugin.CallWithContext does, without per-call lookups.
func (f *fastInstance) call(ctx context.Context, timeout time.Duration, export string, input []byte) ([]byte, error) {
	fn, ok := f.exports[export]
	if !ok {
		if fn = f.main.ExportedFunction(export); fn == nil {
			return nil, fmt.Errorf("%w: %q", ErrNoExport, export)
		}
		if d := fn.Definition(); len(d.ParamTypes()) != 0 || len(d.ResultTypes()) > 1 {
			return nil, fmt.Errorf("%w: %q is not a command (func() int32)", ErrNoExport, export)
		}
		f.exports[export] = fn
	}
	if _, err := f.kcall(f.reset, 0, 0); err != nil {
		return nil, fmt.Errorf("reset: %w", err)
	}
	ptr, err := f.kcall(f.alloc, uint64(len(input)), 0)
	if err != nil {
		return nil, fmt.Errorf("alloc input: %w", err)
	}
	if len(input) > 0 && (ptr == 0 || !f.mem.Write(uint32(ptr), input)) {
		return nil, fmt.Errorf("%w: input of %d bytes does not fit", ErrMemoryLimit, len(input))
	}
	if _, err := f.kcall(f.inputSet, ptr, uint64(len(input))); err != nil {
		return nil, fmt.Errorf("set input: %w", err)
	}
	if ptr != f.inputOffset {
		f.inputOffset, f.inputAny = ptr, ptr
	}

	tctx, cancel := context.WithTimeout(ctx, timeout)
	var stack [1]uint64
	err = fn.CallWithStack(&callCtx{Context: tctx, f: f}, stack[:])
	cancel()
	if err != nil {
		return nil, err
	}
	status := api.DecodeU32(stack[0])
	if len(fn.Definition().ResultTypes()) == 0 {
		status = 0
	}

	if eoff, err := f.kcall(f.errorGet, 0, 0); err != nil {
		return nil, fmt.Errorf("get error: %w", err)
	} else if eoff != 0 {
		msg, err := f.blockView(eoff)
		if err != nil {
			return nil, fmt.Errorf("get error: %w", err)
		}
		return nil, &GuestError{Message: clipMessage(string(msg))}
	}
	if status != 0 {
		return nil, &GuestError{Message: fmt.Sprintf("export %s returned %d", export, status)}
	}
	off, err := f.kcall(f.outputOffset, 0, 0)
	if err != nil {
		return nil, fmt.Errorf("get output: %w", err)
	}
	n, err := f.kcall(f.outputLength, 0, 0)
	if err != nil {
		return nil, fmt.Errorf("get output: %w", err)
	}
	if n > uint64(f.in.m.cfg.MaxOutput) {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrOutputTooLarge, n, f.in.m.cfg.MaxOutput)
	}
	view, ok := f.mem.Read(uint32(off), uint32(n))
	if !ok {
		return nil, fmt.Errorf("%w: output block out of range", ErrTrap)
	}
	return append([]byte(nil), view...), nil
}

// blockView returns the bytes of a kernel block without copying; valid until the guest
// runs again.
func (f *fastInstance) blockView(off uint64) ([]byte, error) {
	if off == 0 {
		return nil, nil
	}
	n, err := f.kcall(f.length, off, 0)
	if err != nil {
		return nil, err
	}
	view, ok := f.mem.Read(uint32(off), uint32(n))
	if !ok {
		return nil, fmt.Errorf("block %d+%d out of range", off, n)
	}
	return view, nil
}

// writeBlock copies b into a new kernel block.
func (f *fastInstance) writeBlock(b []byte) (uint64, error) {
	off, err := f.kcall(f.alloc, uint64(len(b)), 0)
	if err != nil {
		return 0, err
	}
	if off == 0 || !f.mem.Write(uint32(off), b) {
		return 0, fmt.Errorf("%w: no room for %d bytes", ErrMemoryLimit, len(b))
	}
	return off, nil
}
