package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/internal/plugintest"
)

// TestE2EReadsWhileRunning: while `warden run` holds the profile, list,
// info and audit are answered by it (the profile cannot be opened twice),
// with the same output as without it, and `warden run` of another plugin
// has it open that plugin's window; the running warden runs nothing but
// reads for others.
func TestE2EReadsWhileRunning(t *testing.T) {
	t.Parallel()
	needDisplay(t)
	prof, none := signedProfile(t, "hello", "notes")
	global := []string{"--profile", prof, "--policy", none}
	stopped, _, code := wardenEnv(t, os.Environ(), append(global, "info", "dev.warden.hello", "--json")...)
	if code != 0 {
		t.Fatalf("info before run: exit %d", code)
	}

	r := startWarden(t, append(global, "run", "dev.warden.hello")...)
	waitUntil(t, "warden run starts hello", 30*time.Second, func() bool { return strings.Contains(r.text(), "dev.warden.hello is running") })
	read := func(args ...string) string {
		t.Helper()
		out, errOut, code := wardenEnv(t, os.Environ(), append(global, args...)...)
		if code != 0 {
			t.Fatalf("%s while warden run holds the profile: exit %d\n%s", strings.Join(args, " "), code, errOut)
		}
		return out
	}
	if out := read("list"); !strings.Contains(out, "dev.warden.hello") {
		t.Errorf("list: %q", out)
	}
	if out := read("info", "dev.warden.hello"); !strings.Contains(out, "granted:") || !strings.Contains(out, "storage") {
		t.Errorf("info: %q", out)
	}
	var before, during statusJSON
	if err := json.Unmarshal([]byte(stopped), &before); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(read("info", "dev.warden.hello", "--json")), &during); err != nil {
		t.Fatalf("info --json: %v", err)
	}
	if during.ID != before.ID || during.Version != before.Version || during.State != before.State || len(during.Grants) != 1 {
		t.Errorf("info --json while running: %+v, before: %+v", during, before)
	}
	read("audit", "--plugin", "dev.warden.hello", "--limit", "5")

	// `warden run ID` while a warden runs the profile: that warden opens it.
	if out := read("run", "dev.warden.notes"); !strings.Contains(out, "dev.warden.notes 1.0.0 is enabled (its window is open) (opened by the running warden)") {
		t.Errorf("run of another plugin while warden runs: %q", out)
	}

	// Over the socket, the running warden answers reads only.
	_, err := warden.SendControl(t.Context(), prof, warden.ControlRequest{Op: "read", Args: []string{"uninstall", "dev.warden.hello"}})
	if err == nil || !strings.Contains(err.Error(), "not a command that only reads") {
		t.Fatalf("an uninstall sent as a read: %v", err)
	}
	if out := read("list"); !strings.Contains(out, "dev.warden.hello") {
		t.Fatalf("after the refused uninstall, list: %q", out)
	}
}

// TestE2ERunStartsNoPluginUntilAsked: `warden run` with five installed
// plugins opens the manager and no plugin window; `warden run ID` then
// opens that one plugin in it.
func TestE2ERunStartsNoPluginUntilAsked(t *testing.T) {
	t.Parallel()
	needDisplay(t)
	ctx := context.Background()
	prof := t.TempDir()
	w, err := warden.Open(ctx, warden.Config{Profile: prof, Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"hello", "notes", "files", "feeds", "tally"} {
		installUnsigned(t, w, plugintest.Tiny(t, name))
	}
	w.Close(ctx)

	none := filepath.Join(t.TempDir(), "none.json")
	r := startWarden(t, "--profile", prof, "--policy", none, "run")
	waitUntil(t, "the manager opens", 30*time.Second, func() bool { return strings.Contains(r.text(), "the manager window is open") })
	// Give a plugin window that would start at once the time to.
	time.Sleep(2 * time.Second)
	if got := r.webviews(); len(got) != 1 {
		t.Fatalf("webview processes with five plugins installed and none asked for: %v, want only the manager's\n%s", got, r.text())
	}
	out, errOut, code := wardenEnv(t, os.Environ(), "--profile", prof, "--policy", none, "run", "dev.warden.hello")
	if code != 0 || !strings.Contains(out, "opened by the running warden") {
		t.Fatalf("run dev.warden.hello: exit %d\n%s%s", code, out, errOut)
	}
	waitUntil(t, "hello's window opens", 30*time.Second, func() bool { return len(r.webviews()) == 2 })
	r.stop(t)
}

// signedProfile packs the named examples signed with a new key and
// installs them, granting storage (what each asks for), with the command
// line into a new profile; it returns the profile and a user policy path
// that holds none.
func signedProfile(t *testing.T, names ...string) (prof, none string) {
	t.Helper()
	dir := t.TempDir()
	mustPlain(t, "keygen", "-o", filepath.Join(dir, "k.key"))
	prof, none = filepath.Join(dir, "profile"), filepath.Join(dir, "none.json")
	for _, name := range names {
		b := filepath.Join(dir, name+".wbundle")
		mustPlain(t, "pack", example(t, name), "--key", filepath.Join(dir, "k.key"), "-o", b)
		mustWarden(t, "--profile", prof, "--policy", none, "install", b, "--pub", filepath.Join(dir, "k.pub"), "--grant", "storage")
	}
	return prof, none
}
