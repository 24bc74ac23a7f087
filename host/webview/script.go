package webview

/*
#include "webview.h"
*/
import "C"

import (
	"runtime/cgo"
	"sync"
	"unsafe"
)

// AddScript injects src at document start into every page this window
// loads from now on. world "" is the page's own world; any other name is
// an isolated script world sharing the DOM but not JavaScript globals.
// allFrames false injects into the top frame only. A non-empty allowList
// (URL patterns such as "isolation://*/*") restricts injection to frames
// whose URL matches.
func (w *Window) AddScript(src, world string, allFrames bool, allowList []string) {
	if !w.alive() {
		return
	}
	csrc := C.CString(src)
	defer C.free(unsafe.Pointer(csrc))
	cworld := C.CString(world)
	defer C.free(unsafe.Pointer(cworld))
	var allow **C.char
	if len(allowList) > 0 {
		// A NULL-terminated char*[] in C memory, freed after the call.
		arr := unsafe.Slice((**C.char)(C.calloc(C.size_t(len(allowList)+1), C.size_t(unsafe.Sizeof((*C.char)(nil))))), len(allowList)+1)
		for i, p := range allowList {
			arr[i] = C.CString(p)
		}
		defer func() {
			for _, p := range arr {
				C.free(unsafe.Pointer(p))
			}
			C.free(unsafe.Pointer(&arr[0]))
		}()
		allow = &arr[0]
	}
	C.wv_add_script(w.c, csrc, cworld, cbool(allFrames), allow)
}

type messageHandler struct {
	fn func(msg string, reply func(value, errMsg string))
}

// HandleWithReply registers the script message handler name in world (""
// = the page's world) with a reply: in that world,
// window.webkit.messageHandlers[name].postMessage(v) returns a Promise
// settled by reply. fn runs on the GTK thread with v as a string (a
// string message as is, anything else as JSON); reply may be called once,
// later and from any goroutine, with the value (resolves the promise with
// that string) or, when errMsg is not empty, an error (rejects it).
// Scripts outside world cannot see the handler. It reports false when
// WebKit refuses the name (already registered).
func (w *Window) HandleWithReply(name, world string, fn func(msg string, reply func(value, errMsg string))) bool {
	if !w.alive() {
		return false
	}
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	cworld := C.CString(world)
	defer C.free(unsafe.Pointer(cworld))
	return C.wv_handle_with_reply(w.c, cname, cworld, C.uintptr_t(cgo.NewHandle(&messageHandler{fn: fn}))) != 0
}

// Handle registers the script message handler name in world ("" = the
// page's world) without a reply: in that world,
// window.webkit.messageHandlers[name].postMessage(v) returns nothing and
// fn runs on the GTK thread with v as a string (a string message as is,
// anything else as JSON). A handler in the page's world is visible to the
// page and every frame: register one only for messages any script may
// send. It reports false when WebKit refuses the name.
func (w *Window) Handle(name, world string, fn func(msg string)) bool {
	if !w.alive() {
		return false
	}
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	cworld := C.CString(world)
	defer C.free(unsafe.Pointer(cworld))
	return C.wv_handle(w.c, cname, cworld, C.uintptr_t(cgo.NewHandle(&messageHandler{fn: func(msg string, _ func(string, string)) { fn(msg) }}))) != 0
}

// deliverMessage runs on the GTK thread for each message.
func deliverMessage(h *messageHandler, msg string, p *C.wv_pending) {
	var once sync.Once
	h.fn(msg, func(value, errMsg string) {
		once.Do(func() {
			onGTK(func() {
				cv := C.CString(value)
				defer C.free(unsafe.Pointer(cv))
				var ce *C.char
				if errMsg != "" {
					ce = C.CString(errMsg)
					defer C.free(unsafe.Pointer(ce))
				}
				C.wv_reply(p, cv, ce)
			})
		})
	})
}
