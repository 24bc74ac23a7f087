package main

import (
	"context"
	"testing"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/internal/plugintest"
)

// TestE2EMessaging: a plugin's page calls a command another plugin exports
// (hello's greet, run in hello's backend), is refused what hello does not
// export, a plugin without messaging:dev.warden.hello is refused, and both
// sides' audit logs hold the call.
func TestE2EMessaging(t *testing.T) {
	t.Parallel()
	needDisplay(t)
	h := e2eHost(t, host.Options{})
	callee := example(t, "hello")
	plugintest.SetManifestField(t, callee, "exports", []string{"greet"})
	openPlugin(t, h, callee, nil, uiOptions())

	try := `const r = {};
for (const [name, command] of [["greet", "greet"], ["secret", "shutdown"]]) {
  try { r[name] = await warden.invoke("messaging.call", {plugin: "dev.warden.hello", command, args: "Ada"}); }
  catch (e) { r[name] = e.code; }
}
return r;`
	_, asker := openPlugin(t, h, pagePlugin(t, "Asker", []string{"messaging:dev.warden.hello"}, ""), nil, uiOptions())
	var got map[string]string
	eval(t, asker, try, &got)
	if got["greet"] != "Hello, Ada!" || got["secret"] != "not_exported" {
		t.Errorf("a plugin granted messaging:dev.warden.hello got %v", got)
	}
	_, stranger := openPlugin(t, h, pagePlugin(t, "Stranger", []string{}, ""), nil, uiOptions())
	eval(t, stranger, try, &got)
	if got["greet"] != "not_declared" || got["secret"] != "not_declared" {
		t.Errorf("a plugin without the permission got %v", got)
	}

	if err := h.Audit().Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, id := range []string{"dev.warden.hello", "test.warden.asker", "test.warden.stranger"} {
		es, err := h.Audit().Query(context.Background(), auditFilter(id))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			seen[id+" "+e.Cmd+" "+map[bool]string{true: "allowed", false: "denied"}[e.Allowed]] = true
		}
	}
	for _, want := range []string{
		"dev.warden.hello messaging.from:test.warden.asker/greet allowed",
		"dev.warden.hello messaging.from:test.warden.asker/shutdown denied",
		"test.warden.asker messaging.call allowed",
		"test.warden.asker messaging.call denied",
		"test.warden.stranger messaging.call denied",
	} {
		if !seen[want] {
			t.Errorf("no audit entry %q; have %v", want, seen)
		}
	}
	if seen["dev.warden.hello messaging.from:test.warden.stranger/greet allowed"] || seen["dev.warden.hello messaging.from:test.warden.stranger/greet denied"] {
		t.Error("a refused caller reached the callee")
	}
}
