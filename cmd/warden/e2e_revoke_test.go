package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/wardenhq/warden"
)

// TestE2ERevokeStopsRunningPlugin installs the notes example, runs it
// and revokes storage: the window must stop, and the plugin's record must
// no longer hold the grant. Granting it again brings the window back.
func TestE2ERevokeStopsRunningPlugin(t *testing.T) {
	t.Parallel()
	needDisplay(t)
	dir := t.TempDir()
	mustPlain(t, "keygen", "-o", filepath.Join(dir, "k.key"))
	bundle := filepath.Join(dir, "notes.wbundle")
	notes := example(t, "notes")
	mustPlain(t, "pack", notes, "--key", filepath.Join(dir, "k.key"), "-o", bundle)
	prof := filepath.Join(dir, "profile")
	mustWarden(t, "--profile", prof, "--policy", filepath.Join(dir, "none.json"), "install", bundle, "--pub", filepath.Join(dir, "k.pub"), "--grant", "storage")

	ctx := context.Background()
	w, err := warden.Open(ctx, warden.Config{Profile: prof, Logger: quietLog, Window: uiOptions()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(ctx)
	if err := w.Run(ctx, "dev.warden.notes"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the notes window runs", 30*time.Second, func() bool { return w.Windows().State("dev.warden.notes").Running })
	if err := w.Revoke(ctx, "dev.warden.notes", []string{"storage"}); err != nil {
		t.Fatal(err)
	}
	if w.Windows().State("dev.warden.notes").Running || w.Host().Plugin("dev.warden.notes") != nil {
		t.Fatal("the plugin still runs after its storage permission was revoked")
	}
	rec, err := w.Store().Get("dev.warden.notes")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rec.Grants["storage"]; ok {
		t.Fatal("the record still holds the revoked grant")
	}

	// A later grant brings the window back, and so does enable after
	// disable: what `warden grant` and `warden enable` ask of a running
	// warden over its control socket.
	if _, err := w.Plugins().Grant(ctx, "dev.warden.notes", []string{"storage"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Refresh(ctx, "dev.warden.notes"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the notes window runs again after the grant", 30*time.Second, func() bool { return w.Windows().State("dev.warden.notes").Running })
	if _, err := w.Plugins().Disable(ctx, "dev.warden.notes", ""); err != nil {
		t.Fatal(err)
	}
	if err := w.Refresh(ctx, "dev.warden.notes"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the notes window stops when disabled", 30*time.Second, func() bool { return !w.Windows().State("dev.warden.notes").Running })
	if _, err := w.Plugins().Enable(ctx, "dev.warden.notes"); err != nil {
		t.Fatal(err)
	}
	if err := w.Refresh(ctx, "dev.warden.notes"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the notes window runs again after enable", 30*time.Second, func() bool { return w.Windows().State("dev.warden.notes").Running })
}

func waitUntil(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %v", what, limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestE2EGrantAppliesToRunningPlugin: a permission granted while the
// plugin's window runs (warden grant, the manager's Allow: both apply it
// through the running warden) holds for the page's next request, without
// a restart.
func TestE2EGrantAppliesToRunningPlugin(t *testing.T) {
	t.Parallel()
	needDisplay(t)
	ctx := context.Background()
	w, err := warden.Open(ctx, warden.Config{Profile: t.TempDir(), Logger: quietLog, Window: uiOptions()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(ctx)
	dir := pagePluginWith(t, "Later", map[string]any{"permissions": []string{}, "optional_permissions": []string{"storage"}}, ``)
	installUnsigned(t, w, dir)
	const id = "test.warden.later"
	if err := w.Run(ctx, id); err != nil {
		t.Fatal(err)
	}
	ui := w.Windows().Window(id)
	rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := ui.WaitReady(rctx); err != nil {
		t.Fatal(err)
	}
	get := func() string {
		t.Helper()
		var r string
		eval(t, ui, `try { await warden.invoke("storage.get", {key: "k"}); return "ok" } catch (e) { return e.code }`, &r)
		return r
	}
	if r := get(); r != "not_granted" {
		t.Fatalf("before the grant storage.get = %q, want not_granted", r)
	}
	pid := ui.PID()
	if _, err := w.Apply(ctx, warden.ControlRequest{Op: "grant", ID: id, Perms: []string{"storage"}}); err != nil {
		t.Fatal(err)
	}
	if r := get(); r != "ok" {
		t.Fatalf("after the grant storage.get = %q, want ok", r)
	}
	if ui.PID() != pid {
		t.Error("the window was restarted for a grant")
	}
}
