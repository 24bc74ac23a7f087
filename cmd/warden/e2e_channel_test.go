package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/host/webview/webext"
	"github.com/wardenhq/warden/host/window"
)

// TestE2EInvokeRoutes runs the hello plugin with envelopes going straight
// from the web process extension to the core, and with the webview process
// relaying them (extension not installed, or the channel turned off): every
// route answers, and the core counts each envelope on the route expected.
func TestE2EInvokeRoutes(t *testing.T) {
	t.Parallel()
	needDisplay(t)
	if os.Getenv(webext.EnvDir) == "" || os.Getenv(webext.EnvDir) == "off" {
		t.Fatalf("%s must name the built web extension (TestMain builds it)", webext.EnvDir)
	}
	cases := []struct {
		name   string
		opts   func(*window.Options)
		direct bool
	}{
		{"extension", func(*window.Options) {}, true},
		{"no extension installed", func(o *window.Options) { o.Env = append(o.Env, webext.EnvDir+"=off") }, false},
		{"channel turned off", func(o *window.Options) { o.NoChannel = true }, false},
		{"extension without sandbox", func(o *window.Options) { o.NoSandbox = true }, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := e2eHost(t, host.Options{})
			opts := uiOptions()
			tc.opts(&opts)
			_, ui := openPlugin(t, h, example(t, "hello"), nil, opts)
			const n = 5
			for i := range n {
				var reply string
				eval(t, ui, fmt.Sprintf(`return await warden.invoke("backend.greet", "route %d")`, i), &reply)
				if want := fmt.Sprintf("Hello, route %d!", i); reply != want {
					t.Fatalf("invoke %d: %q, want %q", i, reply, want)
				}
			}
			direct, relayed := ui.Invokes()
			if tc.direct && (direct != n || relayed != 0) {
				t.Fatalf("%d direct, %d relayed envelopes; want %d direct", direct, relayed, n)
			}
			if !tc.direct && (direct != 0 || relayed != n) {
				t.Fatalf("%d direct, %d relayed envelopes; want %d relayed", direct, relayed, n)
			}
		})
	}
}
