package webview

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/wardenhq/warden/host/ipc"
)

// ipcFD is the inherited socketpair end the core passes a webview process.
const ipcFD = 3

// Serve runs this process as a plugin window's webview process when it was
// started as one (its only argument is arg) and reports true, with the
// error that ended it (nil for a clean stop); otherwise it returns false at
// once and the program goes on. An application that re-executes its own
// binary for plugin windows (the default of the root package warden) calls
// it first thing in main, with warden.WebviewArg:
//
//	func main() {
//		if ok, err := webview.Serve(ctx, warden.WebviewArg); ok {
//			if err != nil { os.Exit(1) }
//			return
//		}
//		...
//	}
//
// Importing this package links WebKitGTK into the binary, which costs every
// start of it about 150 ms of dynamic loading; the warden command avoids
// that by running windows in its own small program, warden-webview.
func Serve(ctx context.Context, arg string) (bool, error) {
	if len(os.Args) != 2 || os.Args[1] != arg {
		return false, nil
	}
	return true, RunProcess(ctx)
}

// RunProcess runs this process as a plugin window's webview process, speaking
// the core's protocol on fd 3, until the core stops it or the window
// closes. A cancelled ctx (SIGTERM from the core's supervisor) is a clean
// stop.
func RunProcess(ctx context.Context) error {
	f := os.NewFile(ipcFD, "warden-ipc")
	if _, err := f.Stat(); err != nil {
		return fmt.Errorf("webview: fd %d is not open: this program is started by Warden's core, not by hand", ipcFD)
	}
	conn := ipc.NewConn(f, 0)
	defer conn.Close()
	err := RunChild(ctx, conn)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
