package webview

/*
#cgo pkg-config: gtk+-3.0 webkit2gtk-4.1 x11
#include "webview.h"
*/
import "C"

import (
	"errors"
	"os"
	"runtime"
	"runtime/cgo"
	"sync"
)

// GTK must run on the thread that called gtk_init, and that must be the
// process's main thread: lock the main goroutine to it before main runs.
func init() { runtime.LockOSThread() }

// ErrNoDisplay reports that GTK could not open a display.
var ErrNoDisplay = errors.New("webview: cannot open a display (is DISPLAY set? under a headless system run xvfb-run -a)")

var initOnce = sync.OnceValue(func() error {
	// Compositing mode renders the same under X11 without a GPU and costs
	// about 60 MB per web process. Without it neither GTK nor WebKit's
	// DMA-BUF renderer needs GL here; turning both off saves about 6 MB
	// more per plugin (bench/RESULTS.md). WebKit's web process inherits
	// the environment: JavaScriptCore there runs without its top JIT tier
	// (FTL). Its compiler thread ran in bursts of 1 to 4 ms that held up
	// the core or the page, and its code was no faster here: round trip
	// p99 -28% and throughput +18% in 5 of 5 paired runs on two cores
	// (bench/SCALE.md). The tier below it (DFG) stays; without it
	// throughput fell by a third.
	// A value already set wins.
	for _, kv := range [][2]string{
		{"WEBKIT_DISABLE_COMPOSITING_MODE", "1"},
		{"WEBKIT_DISABLE_DMABUF_RENDERER", "1"},
		{"GDK_GL", "disable"},
		{"JSC_useFTLJIT", "0"},
	} {
		if _, ok := os.LookupEnv(kv[0]); !ok {
			os.Setenv(kv[0], kv[1])
		}
	}
	if C.wv_init() != 0 {
		return ErrNoDisplay
	}
	return nil
})

// Init initialises GTK once; later calls return the first result. It must
// be called from the main goroutine (which this package locks to the main
// OS thread), before any other function of the package. It returns
// ErrNoDisplay when no display can be opened.
func Init() error { return initOnce() }

// Run runs GTK's main loop on the calling (main) thread until Quit.
func Run() { C.wv_main() }

// Quit makes Run return. Call it on the GTK thread (from Dispatch).
func Quit() { C.wv_quit() }

// Dispatch queues fn to run on the GTK thread and returns at once. It is
// safe from any goroutine, including the GTK thread itself (fn then runs
// on a later loop iteration, never inline). Functions run in the order
// they were dispatched. Cost: one GSource and one cgo.Handle per call.
func Dispatch(fn func()) {
	C.wv_dispatch(C.uintptr_t(cgo.NewHandle(fn)))
}

// onGTK runs fn now when called on the GTK thread, or dispatches it.
func onGTK(fn func()) {
	if C.wv_on_gtk_thread() != 0 {
		fn()
		return
	}
	Dispatch(fn)
}

// WatchReadable calls fn on the GTK thread each time fd is readable or
// hung up, until fn returns false. Reading fd on the GTK thread, instead of
// on a goroutine that then dispatches to it, saves one thread wake-up per
// message. fn must not block: read with MSG_DONTWAIT. Call it on the GTK
// thread.
func WatchReadable(fd int, fn func() bool) {
	C.wv_watch_fd(C.int(fd), C.uintptr_t(cgo.NewHandle(fn)))
}
