package host

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/wardenhq/warden/host/audit"
)

// TestBackendHostCallsAreDecided runs the notes example's backend through the
// mediator: its storage calls pass the same decision as a UI request, so
// with storage granted a note is saved and listed, and without the grant
// the backend's host call is denied and audited.
func TestBackendHostCallsAreDecided(t *testing.T) {
	ctx := context.Background()
	exampleBackend(t, "notes")
	h := newHost(t, Options{})

	p := load(t, h, exampleDir("notes"), LoadOptions{Grants: grants("storage")})
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
