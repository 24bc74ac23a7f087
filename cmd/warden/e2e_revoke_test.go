package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/plugins/manager"
	"github.com/wardenhq/warden/plugins/policy"
	"github.com/wardenhq/warden/plugins/store"
)

// TestE2ERevokeStopsRunningPlugin installs the notes example, runs it
// through a manager.Runner and revokes storage: the window must stop, and
// the plugin's record must no longer hold the grant.
func TestE2ERevokeStopsRunningPlugin(t *testing.T) {
	needDisplay(t)
	dir := t.TempDir()
	mustPlain(t, "keygen", "-o", filepath.Join(dir, "k.key"))
	bundle := filepath.Join(dir, "notes.wbundle")
	notes, err := filepath.Abs(example("notes"))
	if err != nil {
		t.Fatal(err)
	}
	mustPlain(t, "pack", notes, "--key", filepath.Join(dir, "k.key"), "-o", bundle)
	prof := filepath.Join(dir, "profile")
	mustWarden(t, "--profile", prof, "--policy", filepath.Join(dir, "none.json"), "install", bundle, "--pub", filepath.Join(dir, "k.pub"), "--grant", "storage")

	ctx := context.Background()
	h := e2eHost(t, host.Options{Profile: prof})
	st, err := store.Open(h.DB(), h.Profile())
	if err != nil {
		t.Fatal(err)
	}
	m, err := manager.New(manager.Options{Store: st, HostVersion: host.Version})
	if err != nil {
		t.Fatal(err)
	}
	r := manager.NewRunner(h, windowsOf(h), m, (*policy.Policy)(nil), uiOptions(), quietLog)
	if err := r.Start(ctx, "dev.warden.notes"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the notes window runs", 30*time.Second, func() bool { return windowsOf(h).State("dev.warden.notes").Running })
	if err := r.Revoke(ctx, "dev.warden.notes", []string{"storage"}); err != nil {
		t.Fatal(err)
	}
	if windowsOf(h).State("dev.warden.notes").Running || h.Plugin("dev.warden.notes") != nil {
		t.Fatal("the plugin still runs after its storage permission was revoked")
	}
	rec, err := st.Get("dev.warden.notes")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rec.Grants["storage"]; ok {
		t.Fatal("the record still holds the revoked grant")
	}
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
