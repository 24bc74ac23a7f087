package warden

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/wardenhq/warden/host/ipc"
	"github.com/wardenhq/warden/host/webview"
)

// WebviewArg is the argument a plugin window's webview process is started
// with when Config.Window names no Args: the application's binary,
// re-executed with this single argument, must call ServeWebview first
// thing in main.
const WebviewArg = "warden-webview"

// ipcFD is the inherited socketpair end the core passes a webview process.
const ipcFD = 3

// ServeWebview runs this process as a plugin window's webview process when
// it was started as one (its only argument is WebviewArg) and reports
// true, with the error that ended it (nil for a clean stop); otherwise it
// returns false at once and the application goes on:
//
//	func main() {
//		if ok, err := warden.ServeWebview(ctx); ok {
//			if err != nil { os.Exit(1) }
//			return
//		}
//		...
//	}
func ServeWebview(ctx context.Context) (bool, error) {
	if len(os.Args) != 2 || os.Args[1] != WebviewArg {
		return false, nil
	}
	return true, RunWebview(ctx)
}

// RunWebview runs this process as a plugin window's webview process,
// speaking the core's protocol on fd 3, until the core stops it or the
// window closes. A cancelled ctx (SIGTERM from the core's supervisor) is a
// clean stop.
func RunWebview(ctx context.Context) error {
	f := os.NewFile(ipcFD, "warden-ipc")
	if f == nil {
		return fmt.Errorf("webview: fd %d is not open: this process is started by the core", ipcFD)
	}
	conn := ipc.NewConn(f, 0)
	defer conn.Close()
	err := webview.RunChild(ctx, conn)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
