package notify

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/dbustest"
)

func TestNotifyReachesTheServer(t *testing.T) {
	addr := dbustest.SessionBus(t)
	srv := dbustest.NotificationServer(t, addr)
	n := New(addr)
	defer n.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	id, err := n.Notify(ctx, Notification{App: "Notes (Warden plugin)", Title: "Saved\nline two", Body: `<a href="https://evil.example">click</a> & <img src="/etc/passwd">`})
	if err != nil {
		t.Fatal(err)
	}
	got, err := srv.Wait(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if id != 1 {
		t.Errorf("id = %d", id)
	}
	g := got[0]
	if g.App != "Notes (Warden plugin)" || g.Summary != "Saved line two" || g.Icon != "" || len(g.Actions) != 0 || len(g.Hints) != 0 {
		t.Errorf("received %+v", g)
	}
	if want := `&lt;a href="https://evil.example"&gt;click&lt;/a&gt; &amp; &lt;img src="/etc/passwd"&gt;`; g.Body != want {
		t.Errorf("body = %q, want markup escaped %q", g.Body, want)
	}
	// Long text is cut.
	if _, err := n.Notify(ctx, Notification{App: "x", Title: strings.Repeat("t", 500), Body: strings.Repeat("é", 5000)}); err != nil {
		t.Fatal(err)
	}
	got, _ = srv.Wait(ctx, 2)
	if r := []rune(got[1].Summary); len(r) != MaxTitle {
		t.Errorf("title of %d runes", len(r))
	}
	if r := []rune(got[1].Body); len(r) != MaxBody {
		t.Errorf("body of %d runes", len(r))
	}
}

func TestNotifyWithoutServerOrBus(t *testing.T) {
	addr := dbustest.SessionBus(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n := New(addr)
	defer n.Close()
	if _, err := n.Notify(ctx, Notification{App: "a", Title: "t"}); !errors.Is(err, ErrNoServer) {
		t.Errorf("no server: %v, want ErrNoServer", err)
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	if _, err := New("").Notify(ctx, Notification{App: "a", Title: "t"}); !errors.Is(err, ErrNoBus) {
		t.Errorf("no bus: %v, want ErrNoBus", err)
	}
}
