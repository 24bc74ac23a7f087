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
