package webview

/*
#include "webview.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

// ErrNoWindow reports that no window had the title RequestClose was given.
var ErrNoWindow = errors.New("webview: no window with that title")

// RequestClose asks every top-level X11 window titled title, in any
// process, to close, exactly as a window manager's close button does
// (WM_DELETE_WINDOW): a Warden window then reports OnClose. It opens its
// own connection to display ("" means $DISPLAY), needs no Init and may run
// on any goroutine. It is how tests play a user closing a window.
func RequestClose(display, title string) error {
	var d *C.char
	if display != "" {
		d = C.CString(display)
		defer C.free(unsafe.Pointer(d))
	}
	t := C.CString(title)
	defer C.free(unsafe.Pointer(t))
	switch n := C.wv_x11_request_close(d, t); {
	case n < 0:
		return fmt.Errorf("request close of %q: %w", title, ErrNoDisplay)
	case n == 0:
		return fmt.Errorf("request close of %q: %w", title, ErrNoWindow)
	}
	return nil
}
