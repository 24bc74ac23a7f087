// Command embed is a small application that gives itself an extension
// system with Warden: it registers its own capability (app.clock.now,
// needing the app.clock permission), loads the example plugin in
// examples/embed/plugin and opens its window.
//
//	go run ./examples/embed
//
// With -check it asks the plugin's page for the time through the
// capability, prints the reply and exits (the end-to-end test does that).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/host/webview"
)

// clock is the application's own capability. A plugin reaches it only if
// its manifest declares "app.clock" and the user granted it; each request
// passes the same limits, decision and audit as Warden's own capabilities.
var clock = warden.Capability{
	Command:     "app.clock.now",
	Permission:  "app.clock",
	Description: "Read the time of this application's clock",
	Callers:     host.FromBoth,
	Handle: func(_ context.Context, c *host.Call) ([]byte, error) {
		var args struct {
			Zone string `json:"zone"`
		}
		if err := c.DecodeArgs(&args); err != nil {
			return nil, err
		}
		loc, err := time.LoadLocation(args.Zone)
		if err != nil {
			return nil, host.Deny(host.CodeBadArgs, "unknown time zone "+args.Zone)
		}
		return json.Marshal(map[string]string{"time": time.Now().In(loc).Format(time.RFC3339), "zone": loc.String()})
	},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The plugin's window runs in this same binary, re-executed.
	if ok, err := webview.Serve(ctx, warden.WebviewArg); ok {
		if err != nil {
			fmt.Fprintln(os.Stderr, "embed: webview:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "embed:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	plugin := flag.String("plugin", "examples/embed/plugin", "the plugin directory to open")
	profile := flag.String("profile", "", "the profile directory (default: a throwaway one)")
	check := flag.Bool("check", false, "ask the page for the time, print the reply and exit")
	flag.Parse()
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return errors.New("no display: run it in a desktop session, or under xvfb-run -a")
	}
	if *profile == "" {
		dir, err := os.MkdirTemp("", "warden-embed-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*profile = dir
	}

	w, err := warden.Open(ctx, warden.Config{
		Profile:      *profile,
		Logger:       slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Capabilities: []warden.Capability{clock},
	})
	if err != nil {
		return err
	}
	defer w.Close(context.Background())

	// A plugin under development: every permission its manifest declares
	// is granted. An installed one would run with w.Run and the grants
	// its user gave at install.
	p, err := w.LoadSource(ctx, *plugin, nil)
	if err != nil {
		return err
	}
	win, err := w.OpenWindow(ctx, p, nil)
	if err != nil {
		return err
	}
	rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := win.WaitReady(rctx); err != nil {
		return err
	}
	if *check {
		res, err := win.Eval(rctx, `return await warden.invoke("app.clock.now", {zone: "UTC"})`)
		if err != nil {
			return err
		}
		fmt.Printf("app.clock.now -> %s\n", res)
		return nil
	}
	fmt.Fprintf(os.Stderr, "embed: %s is open; close its window or press Ctrl-C\n", p.Manifest().Name)
	return w.Windows().Wait(ctx, p.ID())
}
