package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/host"
)

// TestE2EContextMenuHasNoNavigation: the right-click menu of a plugin's
// page offers no browser navigation. A user's right-click on the page,
// then Down and Return, would pick the first item a browser's menu has
// (Reload, as Back and Forward are greyed out) and reload the page; in a
// plugin window there is no such menu, and the page keeps its state.
func TestE2EContextMenuHasNoNavigation(t *testing.T) {
	needDisplay(t)
	h := e2eHost(t, host.Options{})
	opts := uiOptions()
	opts.X, opts.Y = 40, 40
	_, ui := openPlugin(t, h, pagePlugin(t, "Menus", []string{}, ``), nil, opts)
	eval(t, ui, `window.marker = "what the user had"; return true`, new(bool))
	xdo(t, "mousemove", "240", "190", "sleep", "0.2", "click", "3", "sleep", "0.5")
	// Where a browser's menu opened there has Reload, its fourth item.
	clickAt(t, 240+50, 190+92)
	time.Sleep(time.Second)
	var marker string
	eval(t, ui, `return String(window.marker)`, &marker)
	if marker != "what the user had" {
		t.Fatalf("the page was reloaded from its context menu (window.marker is %q)", marker)
	}
}

// TestRunWithoutDisplay: `warden run` with no display says so and ends
// with an error, rather than restarting a webview process that cannot
// open a window until the crash policy gives up.
func TestRunWithoutDisplay(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustPlain(t, "keygen", "-o", filepath.Join(dir, "k.key"))
	bundle := filepath.Join(dir, "hello.wbundle")
	mustPlain(t, "pack", example(t, "hello"), "--key", filepath.Join(dir, "k.key"), "-o", bundle)
	prof := filepath.Join(dir, "profile")
	none := filepath.Join(dir, "none.json")
	mustWarden(t, "--profile", prof, "--policy", none, "install", bundle, "--pub", filepath.Join(dir, "k.pub"), "--grant", "storage")
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "DISPLAY=") || strings.HasPrefix(kv, "WAYLAND_DISPLAY=")
	})
	// Without the check it would run on for minutes: a minute is plenty.
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	_, errOut, code := wardenWithin(ctx, t, env, "--profile", prof, "--policy", none, "run")
	if code == 0 || !strings.Contains(errOut, "no display to show plugin windows on") || !strings.Contains(errOut, "xvfb-run") || strings.Contains(errOut, "crash") {
		t.Fatalf("run without a display: exit %d\n%s", code, errOut)
	}
}
