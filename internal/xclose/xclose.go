// Package xclose asks X11 windows of other processes to close, exactly as
// a window manager's close button does (WM_DELETE_WINDOW): it is how
// tests play a user closing a plugin window. It links only Xlib, so a test
// binary importing it does not pay WebKitGTK's start-up cost.
package xclose

/*
#cgo pkg-config: x11
#include <stdlib.h>
#include "xclose.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

// ErrNoDisplay reports that the X display could not be opened.
var ErrNoDisplay = errors.New("xclose: cannot open the X display")

// ErrNoWindow reports that no window had the title Request was given.
var ErrNoWindow = errors.New("xclose: no window with that title")

// Request asks every top-level window titled title, in any process, to
// close. It opens its own connection to display ("" means $DISPLAY) and
// may run on any goroutine; it costs one round trip per top-level window.
func Request(display, title string) error {
	var d *C.char
	if display != "" {
		d = C.CString(display)
		defer C.free(unsafe.Pointer(d))
	}
	t := C.CString(title)
	defer C.free(unsafe.Pointer(t))
	switch n := C.xclose_request(d, t); {
	case n < 0:
		return fmt.Errorf("request close of %q: %w", title, ErrNoDisplay)
	case n == 0:
		return fmt.Errorf("request close of %q: %w", title, ErrNoWindow)
	}
	return nil
}
