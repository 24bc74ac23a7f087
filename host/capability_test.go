package host

import (
	"context"
	"strings"
	"testing"

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
		if _, ok := permissions.Lookup(cap.Permission); !ok {
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
