package main

import (
	"context"
	"testing"
	"time"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/host/audit"
)

// TestE2EReloadGetsNewLaunch reloads the plugin page: the new page gets a
// new launch (key and launch id) handed over ahead of time, its isolation
// frame starts at seq 1 again, and its invokes work.
func TestE2EReloadGetsNewLaunch(t *testing.T) {
	t.Parallel()
	needDisplay(t)
	h := e2eHost(t, host.Options{})
	p, ui := openPlugin(t, h, example(t, "hello"), nil, uiOptions())
	var reply string
	eval(t, ui, `return await warden.invoke("backend.greet", "first")`, &reply)
	if reply != "Hello, first!" {
		t.Fatalf("before reload: %q", reply)
	}
	launchOf := func() string {
		es, err := h.Audit().Query(context.Background(), audit.Filter{Plugin: p.ID(), Limit: 1})
		if err != nil || len(es) != 1 {
			t.Fatalf("audit: %v", err)
		}
		return es[0].Launch
	}
	first := launchOf()

	for round := range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		// Mark the old document, so that an answer from it (before the
		// reload took effect) is not taken for the new page's.
		ui.Eval(ctx, `window.__oldPage = true; setTimeout(() => location.reload(), 0); return true`)
		cancel()
		deadline := time.Now().Add(20 * time.Second)
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			res, err := ui.Eval(ctx, `return window.__oldPage ? "old page" : await warden.invoke("backend.greet", "again")`)
			cancel()
			if err == nil && string(res) == `"Hello, again!"` {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("round %d: no greeting after reload: %s %v", round, res, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
		now := launchOf()
		if now == first {
			t.Fatalf("round %d: the reloaded page still uses launch %s", round, first)
		}
		first = now
	}
	es, err := h.Audit().Query(context.Background(), audit.Filter{Plugin: p.ID(), DeniedOnly: true, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 0 {
		t.Fatalf("requests were refused around the reloads: %+v", es)
	}
	// The reloaded pages kept the web process and with it the direct
	// channel; the first envelope of each switched the core to its launch
	// unless the relayed TypeRelaunched had done it already.
	if direct, relayed := ui.Invokes(); direct == 0 || relayed != 0 {
		t.Fatalf("%d direct, %d relayed envelopes; want all direct", direct, relayed)
	}
}
