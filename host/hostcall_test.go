package host

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wardenhq/warden/host/audit"
	"github.com/wardenhq/warden/internal/plugintest"
)

// TestBackendHostCallsAreDecided runs the notes example's backend through the
// mediator: its storage calls pass the same decision as a UI request, so
// with storage granted a note is saved and listed, and without the grant
// the backend's host call is denied and audited.
func TestBackendHostCallsAreDecided(t *testing.T) {
	ctx := context.Background()
	h := newHost(t, Options{})

	p := load(t, h, exampleDir(t, "notes"), LoadOptions{Grants: grants("storage")})
	c := launch(t, p)
	r := h.Invoke(ctx, c.l, c.seal(t, "backend.save", map[string]string{"text": "buy milk"}))
	if !r.OK {
		t.Fatalf("save: %v", r.Error)
	}
	r = h.Invoke(ctx, c.l, c.seal(t, "backend.list", map[string]string{}))
	if !r.OK {
		t.Fatalf("list: %v", r.Error)
	}
	var notes []struct{ Text string }
	if err := json.Unmarshal(r.Result, &notes); err != nil || len(notes) != 1 || notes[0].Text != "buy milk" {
		t.Fatalf("list = %s (%v)", r.Result, err)
	}
	// The note is in the plugin's storage, visible to its UI too.
	r = h.Invoke(ctx, c.l, c.seal(t, "storage.list", map[string]string{"prefix": "note/"}))
	if !r.OK || !strings.Contains(string(r.Result), `"note/`) {
		t.Fatalf("storage.list = %s %v", r.Result, r.Error)
	}

	// Same plugin, storage not granted: the backend runs, its host call is denied.
	if err := p.SetGrants(grants()); err != nil {
		t.Fatal(err)
	}
	r = h.Invoke(ctx, c.l, c.seal(t, "backend.save", map[string]string{"text": "denied"}))
	if r.OK || r.Error.Code != CodeBackendError || !strings.Contains(r.Error.Message, string(CodeNotGranted)) {
		t.Fatalf("save without grant = %+v %v", r, r.Error)
	}
	es, err := h.Audit().Query(ctx, audit.Filter{Plugin: p.ID(), DeniedOnly: true, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || es[0].Cmd != "storage.set" || es[0].Reason != string(CodeNotGranted) || es[0].Launch != c.l.ID() {
		t.Fatalf("denied audit entries = %+v, want one storage.set not_granted from this launch", es)
	}
}

// TestBackendHostCallDecisions drives a backend that forwards whatever it
// is asked to the host gateway, and shows each host call decided as a UI
// request would be, plus the rules that only apply to backends.
func TestBackendHostCallDecisions(t *testing.T) {
	ctx := context.Background()
	forbidden, forbiddenHits := countingServer(t, func(w http.ResponseWriter, r *http.Request) {})
	allowed, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })

	h := newHost(t, Options{})
	dir := writeRelayPlugin(t, allowed.URL+"/*")
	p := load(t, h, dir, LoadOptions{Grants: grants("storage", "fs.read", "http")}) // fs.write not granted
	c := launch(t, p)
	var events []Event
	c.l.OnEvent(func(e Event) { events = append(events, e) })

	tests := []struct {
		name string
		cmd  string
		args any
		want Code
	}{
		{"storage from the backend", "storage.set", map[string]string{"key": "a", "value": "b"}, ""},
		{"http in scope", "http.fetch", map[string]string{"url": allowed.URL + "/x"}, ""},
		{"http out of scope", "http.fetch", map[string]string{"url": forbidden.URL + "/x"}, CodeOutOfScope},
		{"fs.read escaping $DATA", "fs.read", map[string]string{"path": "$DATA/../../etc/passwd"}, CodeOutOfScope},
		{"fs.write not granted", "fs.write", map[string]any{"path": "$DATA/x", "data": []byte("x")}, CodeNotGranted},
		{"backend calling a backend command", "backend.hostcall", map[string]string{}, CodeNotFromGuest},
		{"unknown command", "os.exec", map[string]string{}, CodeUnknownCmd},
		{"event to the plugin's UI", "event.emit", map[string]any{"event": "tick", "payload": 1}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.Invoke(ctx, c.l, c.seal(t, "backend.hostcall", map[string]any{"cmd": tt.cmd, "args": tt.args}))
			if !r.OK {
				t.Fatalf("hostcall: %v", r.Error)
			}
			var out struct{ Code string }
			if err := json.Unmarshal(r.Result, &out); err != nil {
				t.Fatal(err)
			}
			if Code(out.Code) != tt.want {
				t.Fatalf("host call %s answered %s, want code %q", tt.cmd, r.Result, tt.want)
			}
			es, err := h.Audit().Query(ctx, audit.Filter{Plugin: p.ID(), Limit: 2})
			if err != nil || len(es) != 2 {
				t.Fatalf("audit: %v %d", err, len(es))
			}
			// Newest first: the backend command, then the host call it made.
			if hc := es[1]; hc.Cmd != tt.cmd || hc.Reason != string(tt.want) || hc.Allowed != (tt.want == "") || hc.Launch != c.l.ID() {
				t.Fatalf("host call audit entry = %+v", hc)
			}
		})
	}
	if len(events) != 1 || events[0].Name != "tick" || string(events[0].Payload) != "1" {
		t.Fatalf("events = %+v, want one tick", events)
	}
	if n := forbiddenHits.Load(); n != 0 {
		t.Fatalf("forbidden server saw %d requests", n)
	}
}

// writeRelayPlugin writes a plugin whose backend is the relay guest in
// host/backend/testdata/misbehave: its hostcall export forwards
// {"cmd","args"} to the host gateway and returns the answer.
func writeRelayPlugin(t *testing.T, httpScope string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "backend"), 0o755); err != nil {
		t.Fatal(err)
	}
	relay, err := plugintest.Backend("host/backend/testdata/misbehave")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "backend", "relay.wasm"), relay, 0o644); err != nil {
		t.Fatal(err)
	}
	m := `{"manifest_version":1,"id":"test.warden.relay","name":"Relay","version":"1.0.0","host":">=0.1.0",
	"backend":{"wasm":"backend/relay.wasm","timeout_ms":20000},"commands":["hostcall","hostloop","big"],
	"permissions":["storage","fs.read","fs.write","http"],"fs":{"read":["$DATA/**"],"write":["$DATA/**"]},
	"http":[` + strconv.Quote(httpScope) + `]}`
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(m), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestBackendCannotReachManager: a backend that names the manager window's
// operations, or asks the user for a permission, from its host calls is
// refused: the manager's operations are not commands of the core at all
// (they travel only on the manager process's own connection), and only a
// page may ask the user.
func TestBackendCannotReachManager(t *testing.T) {
	ctx := context.Background()
	h := newHost(t, Options{})
	dir := writeRelayPlugin(t, "https://example.com/*")
	p := load(t, h, dir, LoadOptions{Grants: grants("storage")})
	c := launch(t, p)
	for _, cmd := range []string{"list", "grant", "install", "uninstall", "update", "manager", "manager.grant", "warden.manage", "permissions.request"} {
		t.Run(cmd, func(t *testing.T) {
			args := map[string]any{"op": "grant", "id": p.ID(), "perms": []string{"http"}, "permissions": []string{"http"}}
			r := h.Invoke(ctx, c.l, c.seal(t, "backend.hostcall", map[string]any{"cmd": cmd, "args": args}))
			if !r.OK {
				t.Fatalf("hostcall: %v", r.Error)
			}
			var out struct{ Code string }
			if err := json.Unmarshal(r.Result, &out); err != nil {
				t.Fatal(err)
			}
			if out.Code == "" {
				t.Fatalf("the backend's %s was answered %s", cmd, r.Result)
			}
		})
	}
	p.consent.Lock()
	n := len(p.grants)
	p.consent.Unlock()
	if n != 1 {
		t.Fatalf("the plugin holds %d grants, want its one", n)
	}
}
