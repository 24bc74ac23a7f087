package webview

/*
#include "webview.h"
*/
import "C"

import (
	"fmt"
	"runtime/cgo"
)

// The functions below are called from webview.c on the GTK thread. They
// copy every C string before returning.

//export goDispatch
func goDispatch(h C.uintptr_t) {
	hd := cgo.Handle(h)
	fn := hd.Value().(func())
	hd.Delete()
	fn()
}

//export goFDReady
func goFDReady(h C.uintptr_t, fd C.int) C.int {
	return cbool(cgo.Handle(h).Value().(func() bool)())
}

//export goFreeHandle
func goFreeHandle(h C.uintptr_t) { cgo.Handle(h).Delete() }

func window(h C.uintptr_t) *Window { return cgo.Handle(h).Value().(*Window) }

//export goClose
func goClose(h C.uintptr_t) {
	w := window(h)
	if w.onClose != nil {
		w.onClose()
		return
	}
	w.Destroy()
}

//export goLoad
func goLoad(h C.uintptr_t, ev C.int, uri *C.char) {
	if w := window(h); w.onLoad != nil {
		w.onLoad(LoadEvent(ev), C.GoString(uri))
	}
}

//export goTerminated
func goTerminated(h C.uintptr_t, reason *C.char) {
	if w := window(h); w.onTerminated != nil {
		w.onTerminated(C.GoString(reason))
	}
}

// Policy kinds, as in webview.c.
const (
	policyNavigation = 0
	policyNewWindow  = 1
	policyResponse   = 2
)

//export goPolicy
func goPolicy(h C.uintptr_t, uri *C.char, kind, mainFrame C.int) C.int {
	w := window(h)
	n := Navigation{
		URI:       C.GoString(uri),
		NewWindow: kind == policyNewWindow,
		Response:  kind == policyResponse,
		MainFrame: mainFrame != 0,
	}
	allow := !n.NewWindow
	if w.policy != nil {
		allow = w.policy(n) && allow
	}
	return cbool(allow)
}

//export goScheme
func goScheme(h C.uintptr_t, req *C.WebKitURISchemeRequest) {
	serveScheme(cgo.Handle(h).Value().(*schemeHandler), req)
}

//export goMessage
func goMessage(h C.uintptr_t, msg *C.char, p *C.wv_pending) {
	deliverMessage(cgo.Handle(h).Value().(*messageHandler), C.GoString(msg), p)
}

//export goMessageNoReply
func goMessageNoReply(h C.uintptr_t, msg *C.char) {
	cgo.Handle(h).Value().(*messageHandler).fn(C.GoString(msg), nil)
}

//export goEvalDone
func goEvalDone(h C.uintptr_t, json, errMsg *C.char) {
	hd := cgo.Handle(h)
	cb := hd.Value().(*evalCallback)
	hd.Delete()
	if cb.fn == nil {
		return
	}
	if errMsg != nil {
		cb.fn("", fmt.Errorf("%w: %s", ErrEval, C.GoString(errMsg)))
		return
	}
	cb.fn(C.GoString(json), nil)
}

//export goClipboardText
func goClipboardText(h C.uintptr_t, text *C.char) {
	hd := cgo.Handle(h)
	cb := hd.Value().(*clipboardCallback)
	hd.Delete()
	if text == nil {
		cb.fn("", false)
		return
	}
	cb.fn(C.GoString(text), true)
}

//export goPicked
func goPicked(h C.uintptr_t, path *C.char) {
	hd := cgo.Handle(h)
	cb := hd.Value().(*pickCallback)
	hd.Delete()
	if path == nil {
		cb.fn("")
		return
	}
	cb.fn(C.GoString(path))
}
