package main

import (
	"context"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/host/window"
)

// The desktop tests use the pointer and the keyboard of the one X server,
// so none of them is parallel.

// xdo runs xdotool with args, as the user's mouse and keyboard (XTEST:
// real input to the X server).
func xdo(t *testing.T, args ...string) string {
	t.Helper()
	xdotool, err := exec.LookPath("xdotool")
	if err != nil {
		t.Fatalf("xdotool is needed to act as the user (scripts/setup.sh installs it): %v", err)
	}
	out, err := exec.Command(xdotool, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("xdotool %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// clickAt clicks at x, y on the screen.
func clickAt(t *testing.T, x, y int) {
	t.Helper()
	xdo(t, "mousemove", strconv.Itoa(x), strconv.Itoa(y), "sleep", "0.2", "click", "1")
}

// desktopPage is a page with one button over the whole window, whose click
// runs action (an async function body using warden) and pushes what it
// returned, or the error's code, to window.results.
func desktopPage(action string) string {
	return `window.results = [];
const act = async () => {` + action + `};
addEventListener("DOMContentLoaded", () => {
  const b = document.createElement("button");
  b.id = "act";
  b.textContent = "act";
  b.style = "position:fixed;left:0;top:0;width:100%;height:100%";
  b.onclick = () => act().then((r) => results.push(r), (e) => results.push("refused " + e.code));
  document.body.appendChild(b);
});`
}

// results returns the page's window.results.
func results(t *testing.T, ui *window.Window) []string {
	t.Helper()
	var r []string
	eval(t, ui, `return window.results`, &r)
	return r
}

// waitResult waits until the page's results hold one that starts with
// prefix, and returns it.
func waitResult(t *testing.T, ui *window.Window, prefix string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		r := results(t, ui)
		if i := slices.IndexFunc(r, func(s string) bool { return strings.HasPrefix(s, prefix) }); i >= 0 {
			return r[i]
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page never showed %q; it shows %q", prefix, r)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// invokeCode runs cmd with args from the page's own script, with no user
// gesture, and returns "ok <result>" or the error's code.
func invokeCode(t *testing.T, ui *window.Window, cmd, args string) string {
	t.Helper()
	var r string
	eval(t, ui, `try { return "ok " + JSON.stringify(await warden.invoke(`+jsString(cmd)+`, `+args+`)); } catch (e) { return e.code; }`, &r)
	return r
}

// TestE2EClipboard: a page writes the clipboard and reads it back within
// the user's real click; a read from the page's own script, without a
// click, is refused, and so is everything for a plugin without the
// permissions.
func TestE2EClipboard(t *testing.T) {
	needDisplay(t)
	h := e2eHost(t, host.Options{})
	opts := uiOptions()
	opts.X, opts.Y = 40, 40
	page := desktopPage(`return "read " + (await warden.invoke("clipboard.read")).text;`)
	p, ui := openPlugin(t, h, pagePlugin(t, "Clipper", []string{"clipboard.read", "clipboard.write"}, page), nil, opts)

	if got := invokeCode(t, ui, "clipboard.write", `{text: "copied by Clipper ✓"}`); got != "ok null" {
		t.Fatalf("clipboard.write: %s", got)
	}
	if got := invokeCode(t, ui, "clipboard.read", `{}`); got != "no_user_gesture" {
		t.Fatalf("clipboard.read without a click: %s", got)
	}
	clickAt(t, opts.X+200, opts.Y+150)
	if got := waitResult(t, ui, "read"); got != "read copied by Clipper ✓" {
		t.Fatalf("clipboard.read in a click: %q", got)
	}
	// The click's moment has passed.
	time.Sleep(1500 * time.Millisecond)
	if got := invokeCode(t, ui, "clipboard.read", `{}`); got != "no_user_gesture" {
		t.Fatalf("clipboard.read long after the click: %s", got)
	}
	if err := windowsOf(h).Stop(context.Background(), p.ID()); err != nil {
		t.Fatal(err)
	}

	// Without the permissions, even a click gets nothing.
	_, ui = openPlugin(t, h, pagePlugin(t, "Noclip", []string{}, page), nil, opts)
	if got := invokeCode(t, ui, "clipboard.write", `{text: "x"}`); got != "not_declared" {
		t.Fatalf("clipboard.write without the permission: %s", got)
	}
	clickAt(t, opts.X+200, opts.Y+150)
	if got := waitResult(t, ui, "refused"); got != "refused not_declared" {
		t.Fatalf("clipboard.read without the permission: %q", got)
	}
}
