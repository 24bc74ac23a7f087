package main

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/dbustest"
)

// notifierPlugin writes a plugin whose page, once loaded, asks for a
// notification and logs what came of it; perms are its permissions.
func notifierPlugin(t *testing.T, perms []string) string {
	t.Helper()
	return pagePlugin(t, "Notifier", perms, `warden.invoke("notifications.show", {title: "Build finished", body: "<b>all</b> green"})
  .then((r) => console.log("notified as " + r.id), (e) => console.log("refused: " + e.code));`)
}

// pagePlugin writes a plugin with no backend, named name, asking for
// perms, whose page runs script once loaded.
func pagePlugin(t *testing.T, name string, perms []string, script string) string {
	t.Helper()
	return pagePluginWith(t, name, map[string]any{"permissions": perms}, script)
}

// pagePluginWith is pagePlugin with more of the manifest: fields, such as
// "permissions" and "optional_permissions", added to its own.
func pagePluginWith(t *testing.T, name string, fields map[string]any, script string) string {
	t.Helper()
	dir := t.TempDir()
	mf := map[string]any{
		"manifest_version": 1, "id": "test.warden." + strings.ToLower(name), "name": name, "version": "1.0.0",
		"host": ">=0.1.0 <1.0.0", "ui": map[string]any{"entry": "ui/index.html"},
	}
	maps.Copy(mf, fields)
	m, err := json.Marshal(mf)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"manifest.json": string(m),
		"ui/index.html": `<!doctype html><meta charset="utf-8"><title>` + name + `</title><script src="app.js"></script>`,
		"ui/app.js":     script,
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestE2ENotifications: a plugin page's notifications.show reaches the
// desktop's notification server, on a real session bus the test starts,
// marked as the plugin's; without the permission nothing arrives.
func TestE2ENotifications(t *testing.T) {
	t.Parallel()
	needDisplay(t)
	addr := dbustest.SessionBus(t)
	srv := dbustest.NotificationServer(t, addr)
	env := append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS="+addr)

	errOut, exited := runUntil(t, env, "notified as 1", "-v", "--profile", t.TempDir(), "open", "--debug", notifierPlugin(t, []string{"notifications"}))
	if exited {
		t.Fatalf("warden open ended before the page was answered:\n%s", errOut)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	got, err := srv.Wait(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if g := got[0]; g.App != "Notifier (Warden plugin)" || g.Summary != "Build finished" || g.Body != "&lt;b&gt;all&lt;/b&gt; green" {
		t.Errorf("the server received %+v", g)
	}

	errOut, exited = runUntil(t, env, "refused: not_declared", "-v", "--profile", t.TempDir(), "open", "--debug", notifierPlugin(t, []string{}))
	if exited {
		t.Fatalf("warden open ended before the page was answered:\n%s", errOut)
	}
	if n := len(srv.Received()); n != 1 {
		t.Errorf("the server received %d notifications, want only the allowed one", n)
	}
	if strings.Contains(errOut, "panic") {
		t.Errorf("warden said:\n%s", errOut)
	}
}
