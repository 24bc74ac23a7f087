// Command warden-webview runs one plugin window: the warden command's
// core starts it, beside its own binary, for each window it opens, and
// speaks to it over the socketpair end it inherits as fd 3. It is a
// program of its own so that only window processes link WebKitGTK; it is
// not meant to be run by hand.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/wardenhq/warden/host/webview"
)

func main() {
	// SIGTERM is the supervisor's stop: a clean end.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := webview.RunProcess(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "warden-webview:", err)
		os.Exit(1)
	}
}
