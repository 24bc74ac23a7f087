package webview

/*
#include "webview.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime/cgo"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ErrDestroyed reports a call on a window that was already destroyed.
var ErrDestroyed = errors.New("webview: window destroyed")

// Options configure a new Window.
type Options struct {
	Title         string
	Width, Height int // default size in pixels; <= 0 means 800x600
	// DataDir is the website data directory (localStorage, IndexedDB,
	// caches under DataDir/cache); "" keeps everything in memory.
	DataDir string
	// Sandbox runs the web process under WebKit's bubblewrap sandbox.
	Sandbox bool
	// Debug enables the inspector and writes console messages to stdout.
	Debug bool
	// Extension, when set, loads Warden's web process extension (see
	// package webext) into the window's web process.
	Extension *Extension
	// Features turns WebKit features on or off by identifier (as
	// webkit_feature_get_identifier names them) after Warden's defaults,
	// which turn off every feature in NetworkFeatures. Warden sets none;
	// tests use it to show that the network namespace alone holds.
	Features map[string]bool
}

// NetworkFeatures are the WebKit features New turns off: each makes
// WebKit's network process open connections or send DNS queries for a
// page without a request that the page's Content-Security-Policy governs
// (<link rel=preconnect> and rel=dns-prefetch, early-hint preconnects,
// rel=prefetch). Plugins reach the network only through the core's http
// capability, so none of them has a use. A feature this WebKit does not
// have is skipped: it cannot be reached either.
var NetworkFeatures = []string{"LinkPreconnect", "LinkDNSPrefetch", "LinkPreconnectEarlyHints", "LinkPrefetch"}

// Extension configures the web process extension: the directory WebKit
// loads it from, and the script world and URI prefix of the frames that
// get its channel to the core (see OfferChannel).
type Extension struct {
	Dir    string
	World  string
	Prefix string
}

// LoadEvent is a step of a main-frame load (WebKitLoadEvent).
type LoadEvent int

// Load events, in the order WebKit reports them.
const (
	LoadStarted LoadEvent = iota
	LoadRedirected
	LoadCommitted
	LoadFinished
)

// Navigation describes one navigation WebKit asks about.
type Navigation struct {
	URI string
	// NewWindow is set for requests to open a new window (window.open,
	// target=_blank).
	NewWindow bool
	// Response is set when the question is about a received response
	// rather than a navigation request. WebKit only says which frame
	// navigates for responses: MainFrame then tells the top frame's
	// document apart from a subframe's.
	Response  bool
	MainFrame bool
}

// Window is one GtkWindow holding one web view with its own web context
// and user content manager. Its methods must be called on the GTK thread.
type Window struct {
	c      *C.wv_window
	handle cgo.Handle

	onLoad       func(LoadEvent, string)
	onTerminated func(string)
	onClose      func()
	policy       func(Navigation) bool
}

// New creates a window (shown at once) with its own web context, website
// data manager and user content manager. Call on the GTK thread after
// Init. Each window starts its own WebKit web and network processes on
// first navigation (about 100-170 MB and 30 MB).
func New(opts Options) (*Window, error) {
	if err := Init(); err != nil {
		return nil, err
	}
	if opts.Width <= 0 || opts.Height <= 0 {
		opts.Width, opts.Height = 800, 600
	}
	w := &Window{}
	w.handle = cgo.NewHandle(w)
	title := C.CString(opts.Title)
	defer C.free(unsafe.Pointer(title))
	var dataDir, cacheDir *C.char
	if opts.DataDir != "" {
		dataDir = C.CString(opts.DataDir)
		defer C.free(unsafe.Pointer(dataDir))
		cacheDir = C.CString(filepath.Join(opts.DataDir, "cache"))
		defer C.free(unsafe.Pointer(cacheDir))
	}
	var extDir, extWorld, extPrefix *C.char
	if e := opts.Extension; e != nil && e.Dir != "" {
		extDir, extWorld, extPrefix = C.CString(e.Dir), C.CString(e.World), C.CString(e.Prefix)
		defer C.free(unsafe.Pointer(extDir))
		defer C.free(unsafe.Pointer(extWorld))
		defer C.free(unsafe.Pointer(extPrefix))
	}
	w.c = C.wv_new(C.uintptr_t(w.handle), title, C.int(opts.Width), C.int(opts.Height),
		dataDir, cacheDir, cbool(opts.Sandbox), cbool(opts.Debug), extDir, extWorld, extPrefix)
	for _, id := range NetworkFeatures {
		w.setFeature(id, false)
	}
	for id, on := range opts.Features {
		if !w.setFeature(id, on) {
			w.Destroy()
			return nil, fmt.Errorf("webview: this WebKit has no feature %q", id)
		}
	}
	C.wv_show(w.c)
	return w, nil
}

// setFeature reports whether WebKit has the feature id.
func (w *Window) setFeature(id string, on bool) bool {
	cid := C.CString(id)
	defer C.free(unsafe.Pointer(cid))
	return C.wv_set_feature(w.c, cid, cbool(on)) == 1
}

// FeatureEnabled reports whether the feature id is on in w's settings,
// and whether this WebKit has it at all.
func (w *Window) FeatureEnabled(id string) (on, known bool) {
	cid := C.CString(id)
	defer C.free(unsafe.Pointer(cid))
	switch C.wv_feature_enabled(w.c, cid) {
	case 1:
		return true, true
	case 0:
		return false, true
	}
	return false, false
}

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

// alive reports whether w can still be used.
func (w *Window) alive() bool { return w != nil && w.c != nil }

// Destroy closes the window and releases the view, its context and its
// handlers. Pending evaluations are reported as failed. Calling Destroy
// twice is harmless.
func (w *Window) Destroy() {
	if !w.alive() {
		return
	}
	C.wv_destroy(w.c)
	w.c = nil
	w.handle.Delete()
}

// OfferChannel hands fd, a connected socket, to the web extension of the
// first web process that asks for it; the window owns fd from then on and
// keeps no copy once it is given (a later offer replaces one not yet
// given). Without Options.Extension nobody asks and fd is closed with the
// window.
func (w *Window) OfferChannel(fd int) {
	if !w.alive() {
		unix.Close(fd)
		return
	}
	C.wv_offer_channel(w.c, C.int(fd))
}

// Navigate loads uri in the main frame (subject to the navigation policy).
func (w *Window) Navigate(uri string) {
	if !w.alive() {
		return
	}
	s := C.CString(uri)
	defer C.free(unsafe.Pointer(s))
	C.wv_navigate(w.c, s)
}

// SetTitle sets the window title.
func (w *Window) SetTitle(title string) {
	if !w.alive() {
		return
	}
	s := C.CString(title)
	defer C.free(unsafe.Pointer(s))
	C.wv_set_title(w.c, s)
}

// Icon is one window icon: Size x Size pixels of non-premultiplied RGBA.
type Icon struct {
	Size int
	RGBA []byte
}

// SetIcons gives the window its icons (the window manager picks a size).
// Icons whose pixels do not match their size are skipped: the pixels are
// the core's, decoded from the plugin's PNGs, and no image file is parsed
// here.
func (w *Window) SetIcons(icons []Icon) {
	if !w.alive() {
		return
	}
	var pix []unsafe.Pointer
	var sizes []C.int
	for _, ic := range icons {
		if ic.Size <= 0 || ic.Size > 1024 || len(ic.RGBA) != 4*ic.Size*ic.Size {
			continue
		}
		pix = append(pix, C.CBytes(ic.RGBA))
		sizes = append(sizes, C.int(ic.Size))
	}
	if len(pix) == 0 {
		return
	}
	// The arrays are C memory too: cgo forbids passing Go memory that
	// holds pointers.
	cpix := unsafe.Slice((*unsafe.Pointer)(C.malloc(C.size_t(len(pix))*C.size_t(unsafe.Sizeof(uintptr(0))))), len(pix))
	copy(cpix, pix)
	csizes := unsafe.Slice((*C.int)(C.malloc(C.size_t(len(sizes))*C.size_t(unsafe.Sizeof(C.int(0))))), len(sizes))
	copy(csizes, sizes)
	C.wv_set_icons(w.c, (**C.uchar)(unsafe.Pointer(&cpix[0])), &csizes[0], C.int(len(pix)))
	for _, p := range pix {
		C.free(p)
	}
	C.free(unsafe.Pointer(&cpix[0]))
	C.free(unsafe.Pointer(&csizes[0]))
}

// SetSize resizes the window to width x height pixels.
func (w *Window) SetSize(width, height int) {
	if w.alive() {
		C.wv_set_size(w.c, C.int(width), C.int(height))
	}
}

// Move asks the window manager to put the window's top-left corner at x, y.
func (w *Window) Move(x, y int) {
	if w.alive() {
		C.wv_move(w.c, C.int(x), C.int(y))
	}
}

// Present raises the window above the others and gives it the focus, as
// far as the window manager allows. For the manager window when it asks
// the user something.
func (w *Window) Present() {
	if w.alive() {
		C.wv_present(w.c)
	}
}

// TerminateWebProcess kills the view's web process, as a crash would;
// OnTerminated then reports "terminated by api". For tests and for
// stopping a runaway page.
func (w *Window) TerminateWebProcess() {
	if w.alive() {
		C.wv_terminate(w.c)
	}
}

// OnLoadChanged sets fn to be called at each step of a main-frame load
// with the view's current URI.
func (w *Window) OnLoadChanged(fn func(ev LoadEvent, uri string)) { w.onLoad = fn }

// OnLoadFinished sets fn to be called when a main-frame load finishes. It
// replaces any OnLoadChanged callback.
func (w *Window) OnLoadFinished(fn func(uri string)) {
	w.onLoad = func(ev LoadEvent, uri string) {
		if ev == LoadFinished {
			fn(uri)
		}
	}
}

// OnTerminated sets fn to be called when the web process ends abnormally
// ("crashed", "exceeded memory limit", "terminated by api").
func (w *Window) OnTerminated(fn func(reason string)) { w.onTerminated = fn }

// OnClose sets fn to be called when the user asks to close the window.
// The window stays open: fn decides (typically by calling Destroy). With
// no callback the window is destroyed.
func (w *Window) OnClose(fn func()) { w.onClose = fn }

// SetNavigationPolicy sets fn to decide every navigation, new-window
// request and frame response; false refuses it. WebKit itself never opens
// a new window for this view, whatever fn says. With no policy everything
// but new windows is allowed.
func (w *Window) SetNavigationPolicy(fn func(Navigation) bool) { w.policy = fn }

// Reload loads the current page again, bypassing the cache. The new page
// commits like any other (the webview process gives it a new launch).
func (w *Window) Reload() {
	if w.alive() {
		C.wv_reload(w.c)
	}
}

// SetNotice shows text in a bar over the top of the page, drawn by GTK
// outside the page (the page can neither read nor hide it); "" hides it.
func (w *Window) SetNotice(text string) {
	if !w.alive() {
		return
	}
	s := C.CString(text)
	defer C.free(unsafe.Pointer(s))
	C.wv_set_notice(w.c, s)
}

// EnableReloadKeys makes F5 and Ctrl+R reload the page. The window takes
// the keys before the page sees them.
func (w *Window) EnableReloadKeys() {
	if w.alive() {
		C.wv_enable_reload_keys(w.c)
	}
}
