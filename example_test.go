package warden_test

import (
	"context"
	"encoding/json"
	"log"
	"os"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/host/webview"
)

// An application embeds Warden by opening a profile. Its main first lets
// the binary serve as a plugin window's webview process.
func ExampleOpen() {
	ctx := context.Background()
	if ok, err := webview.Serve(ctx, warden.WebviewArg); ok {
		if err != nil {
			os.Exit(1)
		}
		return
	}
	w, err := warden.Open(ctx, warden.Config{Profile: "/home/ada/.local/share/myapp/plugins"})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close(ctx)
	// Every installed, enabled plugin the policy allows, each in its own
	// window, until the user has closed them all.
	list, err := w.Plugins().List()
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range list {
		if p.Enabled {
			if err := w.Run(ctx, p.ID); err != nil {
				log.Print(err)
			}
		}
	}
	w.Wait(ctx)
}

// An application offers plugins a capability of its own. A plugin that
// declares "app.clock" in its manifest, and was granted it, can call
// warden.invoke("app.clock.now", {}) from its page or warden_call from its
// backend; every call is decided, limited and audited like Warden's own.
func ExampleCapability() {
	clock := warden.Capability{
		Command:     "app.clock.now",
		Permission:  "app.clock",
		Description: "Read the time of this application's clock",
		Callers:     host.FromBoth,
		Handle: func(ctx context.Context, c *host.Call) ([]byte, error) {
			return json.Marshal(time.Now().UTC().Format(time.RFC3339))
		},
	}
	w, err := warden.Open(context.Background(), warden.Config{
		Profile:      "/home/ada/.local/share/myapp/plugins",
		Capabilities: []warden.Capability{clock},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close(context.Background())
}

// A plugin under development runs from its source directory, with the
// permissions its manifest declares, in its own window.
func ExampleWarden_LoadSource() {
	ctx := context.Background()
	w, err := warden.Open(ctx, warden.Config{Profile: "/tmp/myapp-dev"})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close(ctx)
	p, err := w.LoadSource(ctx, "plugins/clock", nil)
	if err != nil {
		log.Fatal(err)
	}
	win, err := w.OpenWindow(ctx, p, nil)
	if err != nil {
		log.Fatal(err)
	}
	if err := win.WaitReady(ctx); err != nil {
		log.Fatal(err)
	}
	w.Windows().Wait(ctx, p.ID())
}
