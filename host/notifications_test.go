package host

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/wardenhq/warden/host/backend"
)

// recordingNotifier stands in for the desktop: it records what it is asked
// to show.
type recordingNotifier struct {
	mu   sync.Mutex
	got  []Notification
	fail error
}

func (r *recordingNotifier) Notify(ctx context.Context, n Notification) (uint32, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return 0, r.fail
	}
	r.got = append(r.got, n)
	return uint32(len(r.got)), nil
}

func TestNotificationsShow(t *testing.T) {
	ctx := context.Background()
	rec := &recordingNotifier{}
	h := newHost(t, Options{Notifier: rec})
	args := map[string]string{"title": "Feed updated", "body": "3 new posts"}

	undeclared := launch(t, load(t, h, writeProbe(t, probeManifest{id: "dev.warden.quiet", perms: []string{}}), LoadOptions{}))
	if r := h.Invoke(ctx, undeclared.l, undeclared.seal(t, "notifications.show", args)); replyCode(r) != CodeNotDeclared {
		t.Fatalf("undeclared: %+v", r.Error)
	}
	p := load(t, h, writeProbe(t, probeManifest{id: "dev.warden.loud", perms: []string{"notifications"}}), LoadOptions{})
	c := launch(t, p)
	if r := h.Invoke(ctx, c.l, c.seal(t, "notifications.show", args)); replyCode(r) != CodeNotGranted {
		t.Fatalf("not granted: %+v", r.Error)
	}
	if len(rec.got) != 0 {
		t.Fatalf("a refused request reached the desktop: %+v", rec.got)
	}
	if err := p.SetGrants(grants("notifications")); err != nil {
		t.Fatal(err)
	}
	if r := h.Invoke(ctx, c.l, c.seal(t, "notifications.show", args)); !r.OK || string(r.Result) != `{"id":1}` {
		t.Fatalf("granted: %s %+v", r.Result, r.Error)
	}
	// The plugin names the text, never who it is from.
	want := Notification{App: "Probe (Warden plugin)", Title: "Feed updated", Body: "3 new posts"}
	if len(rec.got) != 1 || rec.got[0] != want {
		t.Fatalf("shown %+v, want %+v", rec.got, want)
	}
	for _, bad := range []map[string]string{{"body": "no title"}, {"title": " "}, {"title": "x", "app": "Firefox"}} {
		if r := h.Invoke(ctx, c.l, c.seal(t, "notifications.show", bad)); replyCode(r) != CodeBadArgs {
			t.Errorf("%v: %+v", bad, r.Error)
		}
	}
	// The backend may notify too.
	if out, err := h.hostCall(ctx, backend.HostCall{PluginID: p.ID(), Command: []byte("notifications.show"), Args: []byte(`{"title":"from the backend"}`)}); err != nil || string(out) != `{"id":2}` {
		t.Fatalf("from the backend: %s, %v", out, err)
	}
	rec.fail = errors.New("no server")
	if r := h.Invoke(ctx, c.l, c.seal(t, "notifications.show", args)); r.OK || replyCode(r) != CodeFailed {
		t.Fatalf("desktop failure: %+v", r.Error)
	}
	if len(rec.got) != 2 {
		t.Errorf("%d shown, want 2", len(rec.got))
	}
}

func TestNotificationsWithoutNotifier(t *testing.T) {
	ctx := context.Background()
	h := newHost(t, Options{})
	p := load(t, h, writeProbe(t, probeManifest{id: "dev.warden.loud", perms: []string{"notifications"}}), LoadOptions{Grants: grants("notifications")})
	c := launch(t, p)
	if r := h.Invoke(ctx, c.l, c.seal(t, "notifications.show", map[string]string{"title": "x"})); replyCode(r) != CodeFailed {
		t.Fatalf("no notifier: %+v", r.Error)
	}
}
