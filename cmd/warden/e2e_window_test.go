package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/internal/proctree"
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
	prof, none := signedProfile(t, "hello")
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

// TestE2EWindowIcon: a plugin window shows the manifest's icon. The X
// window carries it as _NET_WM_ICON, width, height, then ARGB pixels.
func TestE2EWindowIcon(t *testing.T) {
	t.Parallel() // no pointer: it may run beside other windows
	needDisplay(t)
	h := e2eHost(t, host.Options{})
	dir := pagePluginWith(t, "Iconic", map[string]any{"permissions": []string{}, "icons": map[string]string{"16": "icons/16.png"}}, ``)
	img := image.NewNRGBA(image.Rect(0, 0, 16, 16))
	for i := 0; i < len(img.Pix); i += 4 {
		copy(img.Pix[i:], []byte{0, 0, 255, 255}) // opaque blue
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "icons"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "icons", "16.png"), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	openPlugin(t, h, dir, nil, uiOptions())
	out, err := exec.Command("xprop", "-id", findWindow(t, "^Iconic — plugin$"), "-f", "_NET_WM_ICON", "32c", " = $0, $1, $2\n", "_NET_WM_ICON").CombinedOutput()
	if err != nil {
		t.Fatalf("xprop (x11-utils): %v: %s", err, out)
	}
	// 0xff0000ff: opaque, no red, no green, full blue.
	if want := "_NET_WM_ICON(CARDINAL) = 16, 16, 4278190335"; strings.TrimSpace(string(out)) != want {
		t.Fatalf("the window's icon: %.200s, want %q", out, want)
	}
}

// TestE2EWebProcessWithoutFTL: the web process of a plugin page runs
// JavaScriptCore without its FTL tier (set by the webview process in the
// environment the web process inherits).
func TestE2EWebProcessWithoutFTL(t *testing.T) {
	needDisplay(t)
	t.Parallel()
	h := e2eHost(t, host.Options{})
	_, ui := openPlugin(t, h, pagePlugin(t, "Tiers", []string{}, ``), nil, uiOptions())
	var web []int
	for _, p := range proctree.Descendants(ui.PID()) {
		if processKind(p) == "web" {
			web = append(web, p)
		}
	}
	if len(web) != 1 {
		t.Fatalf("%d web processes under the window's webview process, want 1", len(web))
	}
	env, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", web[0]))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(strings.Split(string(env), "\x00"), "JSC_useFTLJIT=0") {
		t.Fatal("the web process's environment lacks JSC_useFTLJIT=0")
	}
}
