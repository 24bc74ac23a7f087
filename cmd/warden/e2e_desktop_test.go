package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
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
	// GDK takes core X events rather than XInput2 ones, so that a key
	// press another client sends reaches the window as it would for a
	// toolkit that takes them (GTK's XInput2 path drops them before the
	// window's own check is reached).
	opts.Env = append(opts.Env, "GDK_CORE_DEVICE_EVENTS=1")
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
	// Clicks that are not the user's: the page's own click() runs the
	// handler, and a key press another X client sends (XSendEvent, as
	// xdotool's --window does) reaches the window; neither counts.
	eval(t, ui, `window.results = []; document.getElementById("act").click(); return true`, new(bool))
	if got := waitResult(t, ui, "refused"); got != "refused no_user_gesture" {
		t.Fatalf("clipboard.read in a click() of the page's script: %q", got)
	}
	xdo(t, "key", "--window", findWindow(t, "^Clipper"), "space")
	if got := invokeCode(t, ui, "clipboard.read", `{}`); got != "no_user_gesture" {
		t.Fatalf("clipboard.read after a key press another client sent: %s", got)
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

// findWindow waits until an X window is named name (a regular
// expression), and returns its id.
func findWindow(t *testing.T, name string) string {
	t.Helper()
	xdotool, err := exec.LookPath("xdotool")
	if err != nil {
		t.Fatalf("xdotool is needed to act as the user (scripts/setup.sh installs it): %v", err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, _ := exec.Command(xdotool, "search", "--onlyvisible", "--name", name).Output()
		if ids := strings.Fields(string(out)); len(ids) > 0 {
			return ids[len(ids)-1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no window named %q appeared", name)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// answerDialog types into the file dialog named title as the user:
// keys before the text (such as "ctrl+l" for the location bar), the text,
// then Return; with text "" it presses Escape instead.
func answerDialog(t *testing.T, title, keys, text string) {
	t.Helper()
	id := findWindow(t, title)
	// Without a window manager nobody gives the new dialog the focus.
	xdo(t, "windowfocus", "--sync", id, "sleep", "0.3")
	if text == "" {
		xdo(t, "key", "Escape")
		return
	}
	if keys != "" {
		xdo(t, "key", keys, "sleep", "0.3")
	}
	xdo(t, "type", "--delay", "20", text)
	xdo(t, "sleep", "0.3", "key", "Return")
}

// dialogPage runs window.modes[window.mode] on a click: dialog.open of a
// text file, or dialog.save of a fixed text.
var dialogPage = desktopPage(`return "done " + JSON.stringify(await modes[mode]());`) + `
window.mode = "open";
window.modes = {
  open: async () => {
    const r = await warden.invoke("dialog.open", {title: "Pick a text", filters: [{name: "Text", patterns: ["*.txt"]}]});
    return r && {name: r.name, size: r.size, text: atob(r.data)};
  },
  save: () => warden.invoke("dialog.save", {suggested_name: "out.txt", data: btoa("saved by the page\n")}),
};`

// TestE2EFileDialogs: a click opens a GTK file dialog; the file the user
// picks reaches the page for that request, and the plugin can still not
// read its path; dialog.save writes where the user says; cancelling gives
// null; a page's own call shows no dialog.
func TestE2EFileDialogs(t *testing.T) {
	needDisplay(t)
	home := t.TempDir()
	docs := filepath.Join(home, "Documents")
	if err := os.Mkdir(docs, 0o755); err != nil {
		t.Fatal(err)
	}
	picked := filepath.Join(docs, "notes.txt")
	if err := os.WriteFile(picked, []byte("one two\nthree\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := e2eHost(t, host.Options{Env: map[string]string{"$HOME": home, "$DOCUMENTS": docs}})
	opts := uiOptions()
	opts.X, opts.Y = 40, 40
	_, ui := openPlugin(t, h, pagePlugin(t, "Opener", []string{"dialog"}, dialogPage), nil, opts)

	if got := invokeCode(t, ui, "dialog.open", `{}`); got != "no_user_gesture" {
		t.Fatalf("dialog.open from the page's script: %s", got)
	}

	clickAt(t, opts.X+200, opts.Y+150)
	answerDialog(t, "^Opener: Pick a text$", "ctrl+l", picked)
	if got := waitResult(t, ui, "done"); got != `done {"name":"notes.txt","size":14,"text":"one two\nthree\n"}` {
		t.Fatalf("dialog.open: %q", got)
	}
	// The pick granted that one request: the path stays out of reach.
	if got := invokeCode(t, ui, "fs.read", `{path: `+jsString(picked)+`}`); got != "not_declared" {
		t.Fatalf("fs.read of the picked file: %s", got)
	}

	eval(t, ui, `window.results = []; window.mode = "open"; return true`, new(bool))
	clickAt(t, opts.X+200, opts.Y+150)
	answerDialog(t, "^Opener: Pick a text$", "", "")
	if got := waitResult(t, ui, "done"); got != "done null" {
		t.Fatalf("dialog.open cancelled: %q", got)
	}

	saved := filepath.Join(docs, "chosen.txt")
	eval(t, ui, `window.results = []; window.mode = "save"; return true`, new(bool))
	clickAt(t, opts.X+200, opts.Y+150)
	// The name field holds the suggested name, selected: typing a bare
	// name replaces it, and the file goes to the folder the dialog started
	// in, Documents.
	answerDialog(t, "^Opener: Save a file$", "ctrl+a", "chosen.txt")
	if got := waitResult(t, ui, "done"); got != `done {"name":"chosen.txt"}` {
		t.Fatalf("dialog.save: %q", got)
	}
	if b, err := os.ReadFile(saved); err != nil || string(b) != "saved by the page\n" {
		t.Fatalf("the saved file holds %q (%v)", b, err)
	}
}

// TestE2EFilesExample is the files example's main action: the user clicks
// "Open a text file", picks one in the dialog, and sees its statistics,
// counted by the Go backend. Any other file stays out of reach.
func TestE2EFilesExample(t *testing.T) {
	needDisplay(t)
	home := t.TempDir()
	docs := filepath.Join(home, "Documents")
	if err := os.Mkdir(docs, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(docs, "poem.txt"), []byte("The cat and the hat.\nThe END\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := e2eHost(t, host.Options{Env: map[string]string{"$HOME": home, "$DOCUMENTS": docs}})
	opts := uiOptions()
	opts.X, opts.Y = 40, 40
	_, ui := openPlugin(t, h, example(t, "files"), nil, opts)

	var r struct{ X, Y float64 }
	eval(t, ui, `var b = document.getElementById("open").getBoundingClientRect(); return {x: b.x + b.width / 2, y: b.y + b.height / 2}`, &r)
	clickAt(t, opts.X+int(r.X), opts.Y+int(r.Y))
	// The dialog starts in Documents: the bare name is enough.
	answerDialog(t, "^Files: Open a text file$", "ctrl+l", "poem.txt")
	type shown struct {
		Hidden                         bool
		Name, Lines, Words, Characters string
		Top                            []string
	}
	var got shown
	deadline := time.Now().Add(20 * time.Second)
	for {
		eval(t, ui, `const t = (id) => document.getElementById(id).textContent;
return {hidden: document.getElementById("stats").hidden, name: t("name"), lines: t("lines"), words: t("words"), characters: t("characters"),
  top: [...document.querySelectorAll("#top li")].map((li) => li.textContent)};`, &got)
		if !got.Hidden || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	want := shown{Name: "poem.txt", Lines: "2", Words: "7", Characters: "29", Top: []string{"the (3)", "and (1)", "cat (1)", "end (1)", "hat (1)"}}
	if !reflect.DeepEqual(got, want) {
		var status string
		eval(t, ui, `return document.getElementById("status").textContent`, &status)
		t.Fatalf("the page shows %+v (status %q), want %+v", got, status, want)
	}
	// The manifest has no fs scopes: the same file, read directly, is refused.
	if code := invokeCode(t, ui, "fs.read", `{path: "$DOCUMENTS/poem.txt"}`); code != "not_declared" {
		t.Fatalf("fs.read from the files example: %s", code)
	}
}
