package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/host/audit"
)

func testPlugin(name string) string { return filepath.Join("..", "..", "testdata", "plugins", name) }

// TestE2EHostilePage runs the hostile plugin's attacks from its own page in
// a real WebKitGTK window and checks each one failed, and that the test's
// HTTP server on 127.0.0.1 saw no request at all.
func TestE2EHostilePage(t *testing.T) {
	t.Parallel()
	needDisplay(t)
	var mu sync.Mutex
	var hits []string
	beacon := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits = append(hits, r.Method+" "+r.URL.String())
		mu.Unlock()
	}))
	defer beacon.Close()

	h := e2eHost(t, host.Options{})
	p, ui := openPlugin(t, h, testPlugin("hostile"), nil, uiOptions())
	var results map[string]struct {
		Blocked bool   `json:"blocked"`
		Detail  string `json:"detail"`
	}
	eval(t, ui, `return await window.runHostile({beacon: `+jsString(beacon.URL+"/")+`})`, &results)
	// The attacks ran against the direct channel of the web extension.
	if direct, _ := ui.Invokes(); direct == 0 {
		t.Fatal("the page's requests did not use the web extension's channel")
	}

	// Every attack the issue names, by the name the page reports it under.
	want := []string{
		"webkitHandlers",                 // window.webkit or any native handler
		"extensionChannel",               // the web extension's channel to the core
		"fetchIsolation", "xhrIsolation", // reading the isolation document
		"iframeIsolation",                          // loading it in its own iframe
		"bridgeFramePostMessage", "forgedEnvelope", // forged envelopes by any route
		"replayRequest",                         // replaying
		"undeclaredBackend", "undeclaredFsRead", // commands its manifest lacks
		"fetchBeacon", "webSocket", "imageBeacon", // network
		"sendBeacon", "prefetch", "iframeBeacon", // more network
		"windowOpen",                                      // new windows
		"navigateTopToBeacon", "navigateTopToOtherPlugin", // top-frame navigation
		"managerHandler", "iframeManager", "navigateTopToManager", // Warden's manager window
	}
	for _, name := range want {
		r, ok := results[name]
		switch {
		case !ok:
			t.Errorf("%s: the page did not report this attempt", name)
		case !r.Blocked:
			t.Errorf("%s: NOT blocked: %s", name, r.Detail)
		default:
			t.Logf("%s: blocked: %s", name, r.Detail)
		}
	}
	// The control request proves the bridge worked, so the blocks above are
	// not an artefact of a broken page.
	if c, ok := results["_control"]; !ok || c.Blocked {
		t.Errorf("_control = %+v: the page's own storage round trip must work", c)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(hits) != 0 {
		t.Errorf("the beacon server saw requests: %v", hits)
	}
	// Commands the manifest lacks were refused by the core, with an audit
	// entry each.
	es, err := h.Audit().Query(context.Background(), audit.Filter{Plugin: p.ID(), DeniedOnly: true, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]string{}
	for _, e := range es {
		reasons[e.Cmd] = e.Reason
	}
	if reasons["backend.nothere"] != "not_declared" || reasons["fs.read"] != "not_declared" {
		t.Errorf("denied audit entries %v: want backend.nothere and fs.read not_declared", reasons)
	}
}

// TestE2EIsolationHook installs an admin isolation hook that rejects one
// command: exactly that command fails with the hook's message, the core
// never sees it, and everything else passes.
func TestE2EIsolationHook(t *testing.T) {
	t.Parallel()
	needDisplay(t)
	hook, err := os.ReadFile(filepath.Join(testPlugin("hookreject"), "isolation-hook.js"))
	if err != nil {
		t.Fatal(err)
	}
	type outcome struct {
		OK      bool   `json:"ok"`
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	for _, withHook := range []bool{true, false} {
		h := e2eHost(t, host.Options{})
		opts := uiOptions()
		if withHook {
			opts.IsolationJS = []string{string(hook)}
		}
		p, ui := openPlugin(t, h, testPlugin("hookreject"), nil, opts)
		var early, set, del, get, fsRead outcome
		eval(t, ui, `return await window.early`, &early)
		eval(t, ui, `return await tryCmd("storage.set", {key: "k", value: "v"})`, &set)
		eval(t, ui, `return await tryCmd("storage.delete", {key: "k"})`, &del)
		eval(t, ui, `return await tryCmd("storage.get", {key: "k"})`, &get)
		eval(t, ui, `return await tryCmd("fs.read", {path: "/etc/passwd"})`, &fsRead)
		if !early.OK || !set.OK || !get.OK || fsRead.OK || fsRead.Code != "not_declared" {
			t.Fatalf("hook=%v: early %+v set %+v get %+v fs.read %+v", withHook, early, set, get, fsRead)
		}
		es, err := h.Audit().Query(context.Background(), audit.Filter{Plugin: p.ID(), Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var cmds []string
		for _, e := range es {
			cmds = append(cmds, e.Cmd)
		}
		sort.Strings(cmds)
		sawDelete := false
		for _, c := range cmds {
			sawDelete = sawDelete || c == "storage.delete"
		}
		if withHook {
			if del.OK || del.Code != "isolation" || del.Message != "hook: storage.delete is not allowed" {
				t.Fatalf("with the hook, storage.delete = %+v", del)
			}
			if sawDelete {
				t.Fatalf("the core saw storage.delete although the hook refused it: %v", cmds)
			}
		} else if !del.OK || !sawDelete {
			t.Fatalf("without the hook, storage.delete = %+v, audit %v", del, cmds)
		}
		h.Close(context.Background())
	}
}

func jsString(s string) string {
	b := []byte{'"'}
	for _, r := range s {
		if r == '"' || r == '\\' {
			b = append(b, '\\')
		}
		b = append(b, string(r)...)
	}
	return string(append(b, '"'))
}
