package webview

/*
#include "webview.h"
*/
import "C"

import (
	"errors"
	"runtime/cgo"
	"unsafe"
)

// ErrEval wraps the message of a script that threw or rejected.
var ErrEval = errors.New("webview: script failed")

type evalCallback struct {
	fn func(resultJSON string, err error)
}

// Eval runs js as the body of an async function in the page's own world
// (so `return await p` works) and calls cb on the GTK thread with the
// awaited result as JSON ("null" for undefined) or an error wrapping
// ErrEval. cb may be nil.
func (w *Window) Eval(js string, cb func(resultJSON string, err error)) {
	w.EvalInWorld("", js, cb)
}

// EvalInWorld is Eval in the named script world ("" = the page's world).
func (w *Window) EvalInWorld(world, js string, cb func(resultJSON string, err error)) {
	if !w.alive() {
		if cb != nil {
			cb("", ErrDestroyed)
		}
		return
	}
	cjs := C.CString(js)
	defer C.free(unsafe.Pointer(cjs))
	cworld := C.CString(world)
	defer C.free(unsafe.Pointer(cworld))
	C.wv_eval(w.c, cjs, cworld, C.uintptr_t(cgo.NewHandle(&evalCallback{fn: cb})))
}
