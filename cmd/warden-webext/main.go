// Command warden-webext builds Warden's WebKit web process extension into a
// directory: warden-webext <dir>. `make build` puts it in bin/webext, beside
// bin/warden, where the webview process looks for it (see package
// host/webview/webext).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/wardenhq/warden/host/webview/webext"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: warden-webext <dir>")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	p, err := webext.Build(ctx, os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "warden-webext:", err)
		os.Exit(1)
	}
	fmt.Println(p)
}
