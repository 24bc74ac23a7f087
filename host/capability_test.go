package host

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/wardenhq/warden/host/audit"
	"github.com/wardenhq/warden/host/backend"
	"github.com/wardenhq/warden/permissions"
)

// TestCapabilityTable: the dispatcher and the backends' host calls read
// the same table: every command is known on both routes, needs the same
// permission on both, and is refused to a caller its entry does not name.
func TestCapabilityTable(t *testing.T) {
	ctx := context.Background()
	h := newHost(t, Options{})
	p := load(t, h, writeProbe(t, probeManifest{id: "dev.warden.table", perms: []string{}}), LoadOptions{})
	c := launch(t, p)
	for _, cap := range h.Commands() {
		if cap.Handle != nil {
			t.Errorf("Commands lists the handler of %s", cap.Command)
		}
		// messaging.call is decided on "messaging:<plugin>", named by
		// each request.
		if _, ok := permissions.Lookup(cap.Permission); !ok && !(cap.Scoped && cap.Permission == permissions.MessagingPrefix) {
			t.Errorf("%s needs %q, which is not in the permission catalog", cap.Command, cap.Permission)
		}
		// Nothing is declared or granted: a known command is decided
		// (refused, or allowed when its permission is implicit) or refused
		// by its caller rule, never unknown.
		r := h.Invoke(ctx, c.l, c.seal(t, cap.Command, map[string]string{}))
		_, err := h.hostCall(ctx, backend.HostCall{PluginID: p.ID(), Command: []byte(cap.Command), Args: []byte(`{}`)})
		page, back := replyCode(r), Code("")
		if err != nil {
			back = codeOf(err)
		}
		if page == CodeUnknownCmd || back == CodeUnknownCmd {
			t.Errorf("%s: %q from the page, %q from the backend; want it known on both routes", cap.Command, page, back)
		}
		if entry, _ := permissions.Lookup(cap.Permission); !entry.Implicit && (page == "" || back == "") {
			t.Errorf("%s ran with %s neither declared nor granted", cap.Command, cap.Permission)
		}
	}
	// backend.<name> commands are the page's only.
	if _, err := h.hostCall(ctx, backend.HostCall{PluginID: p.ID(), Origin: c.l, Command: []byte("backend.greet"), Args: []byte(`"x"`)}); codeOf(err) != CodeNotFromGuest && codeOf(err) != CodeNotDeclared {
		t.Errorf("backend.greet from a backend: %v", err)
	}
	if r := h.Invoke(ctx, c.l, c.seal(t, "event.emit", map[string]string{"event": "x"})); replyCode(r) != CodeBackendOnly {
		t.Errorf("event.emit from the page: %+v", r.Error)
	}
}

func replyCode(r Reply) Code {
	if r.Error == nil {
		return ""
	}
	return r.Error.Code
}

// TestScopedCapabilityMustDecide: a scoped capability whose handler
// returns without asking about its resource has its result dropped.
func TestScopedCapabilityMustDecide(t *testing.T) {
	ctx := context.Background()
	h := newHost(t, Options{})
	if err := h.addCapability(Capability{Command: "test.leak", Permission: "storage", Callers: FromBoth, Scoped: true,
		Handle: func(context.Context, *Call) ([]byte, error) { return []byte(`"secret"`), nil }}); err != nil {
		t.Fatal(err)
	}
	p := load(t, h, writeProbe(t, probeManifest{id: "dev.warden.leak", perms: []string{"storage"}}), LoadOptions{Grants: grants("storage")})
	c := launch(t, p)
	r := h.Invoke(ctx, c.l, c.seal(t, "test.leak", nil))
	if r.OK || strings.Contains(string(r.Result), "secret") {
		t.Fatalf("undecided scoped capability answered %s", r.Result)
	}
}

// TestAddCapabilityRefusesBadEntries: the table takes no entry that could
// shadow a built-in command or a backend's, or that lacks a permission,
// callers or handler.
func TestAddCapabilityRefusesBadEntries(t *testing.T) {
	h := newHost(t, Options{})
	ok := func(context.Context, *Call) ([]byte, error) { return nil, nil }
	for _, c := range []Capability{
		{Command: "storage.get", Permission: "storage", Callers: FromBoth, Handle: ok},
		{Command: "backend.greet", Permission: "storage", Callers: FromBoth, Handle: ok},
		{Command: "", Permission: "storage", Callers: FromBoth, Handle: ok},
		{Command: "x.y", Callers: FromBoth, Handle: ok},
		{Command: "x.y", Permission: "storage", Handle: ok},
		{Command: "x.y", Permission: "storage", Callers: 8, Handle: ok},
		{Command: "x.y", Permission: "storage", Callers: FromPage},
	} {
		if err := h.addCapability(c); err == nil {
			t.Errorf("addCapability(%+v) accepted", c)
		}
	}
}

// clockCapability is an application's capability as an embedding app
// would write it.
func clockCapability(calls *int) Capability {
	return Capability{
		Command: "app.clock.now", Permission: "app.clock", Callers: FromBoth,
		Description: "Read the time of the application's clock",
		Handle: func(_ context.Context, c *Call) ([]byte, error) {
			var a struct {
				Zone string `json:"zone"`
			}
			if err := c.DecodeArgs(&a); err != nil {
				return nil, err
			}
			if a.Zone != "UTC" {
				return nil, Deny(CodeBadArgs, "only UTC")
			}
			*calls++
			return []byte(`"12:00"`), nil
		},
	}
}

// TestAppCapability: an application's capability goes through the same
// envelope checks, decision, audit and limits as the core's own: refused
// until declared and granted, audited under its command, callable from the
// page and from the backend.
func TestAppCapability(t *testing.T) {
	ctx := context.Background()
	calls := 0
	h := newHost(t, Options{Capabilities: []Capability{clockCapability(&calls)}})
	if e, ok := h.Describe("app.clock"); !ok || e.Description != "Read the time of the application's clock" {
		t.Fatalf("Describe(app.clock) = %+v, %v", e, ok)
	}
	undeclared := load(t, h, writeProbe(t, probeManifest{id: "dev.warden.noclock", perms: []string{}}), LoadOptions{})
	c := launch(t, undeclared)
	if r := h.Invoke(ctx, c.l, c.seal(t, "app.clock.now", map[string]string{"zone": "UTC"})); replyCode(r) != CodeNotDeclared {
		t.Fatalf("undeclared: %+v", r.Error)
	}
	p := load(t, h, writeProbe(t, probeManifest{id: "dev.warden.clock", perms: []string{"app.clock"}}), LoadOptions{})
	c = launch(t, p)
	if r := h.Invoke(ctx, c.l, c.seal(t, "app.clock.now", map[string]string{"zone": "UTC"})); replyCode(r) != CodeNotGranted {
		t.Fatalf("not granted: %+v", r.Error)
	}
	if err := p.SetGrants(grants("app.clock")); err != nil {
		t.Fatal(err)
	}
	if r := h.Invoke(ctx, c.l, c.seal(t, "app.clock.now", map[string]string{"zone": "UTC"})); !r.OK || string(r.Result) != `"12:00"` {
		t.Fatalf("granted: %s %+v", r.Result, r.Error)
	}
	if r := h.Invoke(ctx, c.l, c.seal(t, "app.clock.now", map[string]string{"zone": "CET"})); replyCode(r) != CodeBadArgs {
		t.Fatalf("handler's refusal: %+v", r.Error)
	}
	if r := h.Invoke(ctx, c.l, c.seal(t, "app.clock.now", map[string]string{"zone": "UTC", "extra": "x"})); replyCode(r) != CodeBadArgs {
		t.Fatalf("strict arguments: %+v", r.Error)
	}
	out, err := h.hostCall(ctx, backend.HostCall{PluginID: p.ID(), Command: []byte("app.clock.now"), Args: []byte(`{"zone":"UTC"}`)})
	if err != nil || string(out) != `"12:00"` {
		t.Fatalf("from the backend: %s, %v", out, err)
	}
	if calls != 2 {
		t.Fatalf("handler ran %d times, want 2", calls)
	}
	// The admin's ceiling binds it like any permission.
	blocked := load(t, h, writeProbe(t, probeManifest{id: "dev.warden.clock2", perms: []string{"app.clock"}}), LoadOptions{Grants: grants("app.clock"), Ceiling: ceiling("app.*")})
	c2 := launch(t, blocked)
	if r := h.Invoke(ctx, c2.l, c2.seal(t, "app.clock.now", map[string]string{"zone": "UTC"})); replyCode(r) != CodeAboveCeiling {
		t.Fatalf("blocked by the ceiling: %+v", r.Error)
	}
	if err := h.Audit().Flush(ctx); err != nil {
		t.Fatal(err)
	}
	es, err := h.Audit().Query(ctx, audit.Filter{Plugin: p.ID(), Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if e.Cmd != "app.clock.now" {
			t.Fatalf("audit entry %+v", e)
		}
		n += max(e.Count, 1)
	}
	if n != 5 {
		t.Fatalf("%d requests audited (denials of one kind coalesce), want 5: %+v", n, es)
	}
}

// TestAppPermissionNotOffered: a plugin made for another application (it
// asks for an application permission this one does not offer) does not
// load; an application cannot register outside its namespace.
func TestAppPermissionNotOffered(t *testing.T) {
	calls := 0
	h := newHost(t, Options{Capabilities: []Capability{clockCapability(&calls)}})
	_, err := h.Load(context.Background(), writeProbe(t, probeManifest{id: "dev.warden.other", perms: []string{"app.camera"}}), LoadOptions{})
	if !errors.Is(err, ErrAppPermission) {
		t.Fatalf("load: %v, want ErrAppPermission", err)
	}
	for _, c := range []Capability{
		{Command: "storage.wipe", Permission: "app.clock", Callers: FromBoth, Handle: clockCapability(&calls).Handle},
		{Command: "app.clock.set", Permission: "storage", Callers: FromBoth, Handle: clockCapability(&calls).Handle},
	} {
		if _, err := New(context.Background(), Options{Profile: t.TempDir(), Capabilities: []Capability{c}}); err == nil {
			t.Errorf("New accepted %s needing %s", c.Command, c.Permission)
		}
	}
}

// TestBuiltinCommands checks that the table read without a host is the
// one a host dispatches on.
func TestBuiltinCommands(t *testing.T) {
	h := newHost(t, Options{})
	if got, want := BuiltinCommands(), h.Commands(); !reflect.DeepEqual(got, want) {
		t.Errorf("BuiltinCommands() = %+v\nHost.Commands() = %+v", got, want)
	}
}
