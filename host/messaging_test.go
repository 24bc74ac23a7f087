package host

import (
	"context"
	"testing"

	"github.com/wardenhq/warden/host/audit"
	"github.com/wardenhq/warden/host/backend"
)

func TestMessaging(t *testing.T) {
	ctx := context.Background()
	h := newHost(t, Options{})
	callee := load(t, h, writeProbe(t, probeManifest{id: "dev.warden.greeter", perms: []string{}, exports: []string{"greet"}}), LoadOptions{})
	unexported := load(t, h, writeProbe(t, probeManifest{id: "dev.warden.private", perms: []string{}}), LoadOptions{})
	call := func(to, cmd string) map[string]any {
		return map[string]any{"plugin": to, "command": cmd, "args": "Ada"}
	}

	stranger := launch(t, load(t, h, writeProbe(t, probeManifest{id: "dev.warden.stranger", perms: []string{}}), LoadOptions{}))
	if r := h.Invoke(ctx, stranger.l, stranger.seal(t, "messaging.call", call(callee.ID(), "greet"))); replyCode(r) != CodeNotDeclared {
		t.Fatalf("undeclared: %+v", r.Error)
	}
	caller := load(t, h, writeProbe(t, probeManifest{id: "dev.warden.caller", perms: []string{"messaging:dev.warden.greeter", "messaging:dev.warden.private", "messaging:dev.warden.absent"}}), LoadOptions{})
	c := launch(t, caller)
	if r := h.Invoke(ctx, c.l, c.seal(t, "messaging.call", call(callee.ID(), "greet"))); replyCode(r) != CodeNotGranted {
		t.Fatalf("not granted: %+v", r.Error)
	}
	// A grant for one plugin reaches that one only.
	if err := caller.SetGrants(grants("messaging:dev.warden.greeter")); err != nil {
		t.Fatal(err)
	}
	if r := h.Invoke(ctx, c.l, c.seal(t, "messaging.call", call(callee.ID(), "greet"))); !r.OK || string(r.Result) != `"Hello, Ada!"` {
		t.Fatalf("granted: %s %+v", r.Result, r.Error)
	}
	if r := h.Invoke(ctx, c.l, c.seal(t, "messaging.call", call(unexported.ID(), "greet"))); replyCode(r) != CodeNotGranted {
		t.Fatalf("another plugin: %+v", r.Error)
	}
	if err := caller.SetGrants(grants("messaging:dev.warden.greeter", "messaging:dev.warden.private", "messaging:dev.warden.absent")); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args map[string]any
		want Code
	}{
		{call(unexported.ID(), "greet"), CodeNotExported},    // granted, but nothing exported
		{call(callee.ID(), "shutdown"), CodeNotExported},     // not in exports
		{call("dev.warden.absent", "greet"), CodeStopped},    // not running
		{call("dev.warden.caller", "greet"), CodeBadArgs},    // itself
		{call("not an id", "greet"), CodeBadArgs},            // malformed
		{call(callee.ID(), "backend.greet"), CodeBadArgs},    // a command name, not a capability
		{map[string]any{"plugin": callee.ID()}, CodeBadArgs}, // no command
	} {
		if r := h.Invoke(ctx, c.l, c.seal(t, "messaging.call", tt.args)); replyCode(r) != tt.want {
			t.Errorf("%v: %+v, want %s", tt.args, r.Error, tt.want)
		}
	}
	// From the caller's backend too.
	out, err := h.hostCall(ctx, backend.HostCall{PluginID: caller.ID(), Command: []byte("messaging.call"), Args: []byte(`{"plugin":"dev.warden.greeter","command":"greet","args":"Bob"}`)})
	if err != nil || string(out) != `"Hello, Bob!"` {
		t.Fatalf("from the backend: %s, %v", out, err)
	}
	// A stopped callee answers nothing.
	callee.Stop("disabled by the user")
	if r := h.Invoke(ctx, c.l, c.seal(t, "messaging.call", call(callee.ID(), "greet"))); replyCode(r) != CodeStopped {
		t.Errorf("stopped callee: %+v", r.Error)
	}
	callee.Resume()

	// Both sides are audited.
	if err := h.Audit().Flush(ctx); err != nil {
		t.Fatal(err)
	}
	side := func(plugin string) []audit.Entry {
		es, err := h.Audit().Query(ctx, audit.Filter{Plugin: plugin, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		return es
	}
	var calleeAllowed, calleeRefused int
	for _, e := range side(callee.ID()) {
		if e.Cmd != "messaging.from:dev.warden.caller/greet" && e.Cmd != "messaging.from:dev.warden.caller/shutdown" {
			t.Errorf("callee's audit entry %+v", e)
		}
		if e.Allowed {
			calleeAllowed++
		} else {
			calleeRefused++
		}
	}
	if calleeAllowed != 2 || calleeRefused != 2 {
		t.Errorf("callee audited %d allowed, %d refused; want 2 and 2 (not exported, stopped)", calleeAllowed, calleeRefused)
	}
	var callerEntries int
	for _, e := range side(caller.ID()) {
		if e.Cmd != "messaging.call" {
			t.Errorf("caller's audit entry %+v", e)
		}
		callerEntries += max(e.Count, 1)
	}
	if callerEntries != 12 {
		t.Errorf("caller audited %d requests, want 12", callerEntries)
	}
}

func TestMessagingConsentText(t *testing.T) {
	h := newHost(t, Options{})
	e, ok := h.Describe("messaging:com.example.search")
	if !ok || e.Description != "Use the commands the plugin com.example.search offers to other plugins" {
		t.Errorf("Describe = %+v, %v", e, ok)
	}
	if _, ok := h.Describe("messaging:Not.An.ID"); ok {
		t.Error("a malformed messaging permission described")
	}
}
