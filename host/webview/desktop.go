package webview

/*
#include "webview.h"
*/
import "C"

import (
	"errors"
	"runtime/cgo"
	"time"
	"unsafe"
)

// ErrDialogOpen reports a file or consent dialog asked for while one is
// open.
var ErrDialogOpen = errors.New("webview: a file dialog is already open")

// LastInput reports how long ago the window received its last key or
// button press from the X server itself (not an event another client
// sent; what a page's script dispatches never reaches GTK), and false when
// it received none since the window opened or since ConsumeInput.
func (w *Window) LastInput() (time.Duration, bool) {
	if !w.alive() {
		return 0, false
	}
	ms := C.wv_input_age_ms(w.c)
	if ms < 0 {
		return 0, false
	}
	return time.Duration(ms) * time.Millisecond, true
}

// Active reports whether the window has the keyboard focus.
func (w *Window) Active() bool { return w.alive() && C.wv_is_active(w.c) == 1 }

// ConsumeInput forgets the last press, so that LastInput reports none
// until the next.
func (w *Window) ConsumeInput() {
	if w.alive() {
		C.wv_consume_gesture(w.c)
	}
}

// SetClipboard puts text on the clipboard (CLIPBOARD, not the primary
// selection). The process owns it until another application takes it.
func (w *Window) SetClipboard(text string) {
	if !w.alive() {
		return
	}
	b := C.CBytes([]byte(text))
	defer C.free(b)
	C.wv_clipboard_set(w.c, (*C.char)(b), C.int(len(text)))
}

type clipboardCallback struct {
	fn func(text string, ok bool)
}

// RequestClipboard asks for the clipboard's text and calls fn on the GTK
// thread with it, ok false when the clipboard holds no text.
func (w *Window) RequestClipboard(fn func(text string, ok bool)) {
	if !w.alive() {
		fn("", false)
		return
	}
	C.wv_clipboard_request(w.c, C.uintptr_t(cgo.NewHandle(&clipboardCallback{fn})))
}

// FileDialog describes a file dialog.
type FileDialog struct {
	Save   bool
	Title  string
	Folder string // where it starts; "" leaves it to GTK
	Name   string // the name a save dialog suggests
	// Filters are named lists of patterns of base names ("*.txt").
	Filters []FileFilter
}

// FileFilter is one entry of a dialog's filter list.
type FileFilter struct {
	Name     string
	Patterns []string
}

type pickCallback struct {
	fn func(path string)
}

// PickFile shows a GtkFileChooserDialog modal to the window and calls fn
// on the GTK thread with the absolute path the user picked, "" when they
// cancelled. Only one dialog is open at a time (ErrDialogOpen). When the
// window is destroyed first, fn is never called.
func (w *Window) PickFile(d FileDialog, fn func(path string)) error {
	if !w.alive() {
		return ErrDestroyed
	}
	title, folder, name := C.CString(d.Title), C.CString(d.Folder), C.CString(d.Name)
	defer C.free(unsafe.Pointer(title))
	defer C.free(unsafe.Pointer(folder))
	defer C.free(unsafe.Pointer(name))
	if C.wv_dialog_new(w.c, cbool(d.Save), title, folder, name) == 0 {
		return ErrDialogOpen
	}
	for _, f := range d.Filters {
		cname := C.CString(f.Name)
		pats := make([]*C.char, len(f.Patterns)+1)
		for i, p := range f.Patterns {
			pats[i] = C.CString(p)
		}
		// pats lives in Go memory and holds only C pointers: cgo allows
		// passing it for the duration of the call.
		C.wv_dialog_add_filter(w.c, cname, &pats[0])
		for _, p := range pats[:len(f.Patterns)] {
			C.free(unsafe.Pointer(p))
		}
		C.free(unsafe.Pointer(cname))
	}
	C.wv_dialog_show(w.c, C.uintptr_t(cgo.NewHandle(&pickCallback{fn})))
	return nil
}

// Consent is the text of a consent dialog: all of it the core's.
type Consent struct {
	Title, Text, Detail string
}

// Answers of a consent dialog, as fn of AskConsent gets them.
const (
	ConsentAllow = "allow"
	ConsentDeny  = "deny"
)

// AskConsent shows a question dialog modal to the window, with the
// buttons "Don't allow" (the default: Return presses it) and "Allow", and
// calls fn on the GTK thread with ConsentAllow, ConsentDeny, or "" when
// the user closed it without answering. It shares the one dialog slot
// with PickFile (ErrDialogOpen). When the window is destroyed first, fn is
// never called.
func (w *Window) AskConsent(c Consent, fn func(answer string)) error {
	if !w.alive() {
		return ErrDestroyed
	}
	title, text, detail := C.CString(c.Title), C.CString(c.Text), C.CString(c.Detail)
	defer C.free(unsafe.Pointer(title))
	defer C.free(unsafe.Pointer(text))
	defer C.free(unsafe.Pointer(detail))
	if C.wv_consent_new(w.c, title, text, detail) == 0 {
		return ErrDialogOpen
	}
	C.wv_dialog_show(w.c, C.uintptr_t(cgo.NewHandle(&pickCallback{fn})))
	return nil
}
