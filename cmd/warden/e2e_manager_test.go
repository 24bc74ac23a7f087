package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/host/managerwin"
	"github.com/wardenhq/warden/internal/plugintest"
	"github.com/wardenhq/warden/isolation"
	"github.com/wardenhq/warden/plugins/bundle"
	"github.com/wardenhq/warden/plugins/manager"
)

// screenshotDir is where the window tests save their screenshots:
// $WARDEN_SCREENSHOTS (make test sets test-output/screenshots), else a
// directory in the system's temporary directory. Each test logs the path.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("WARDEN_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "warden-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// screenshotPNG saves the whole screen as name.png in screenshotDir, checks
// that something is drawn on it, and returns its path.
func screenshotPNG(t *testing.T, name string) string {
	t.Helper()
	time.Sleep(300 * time.Millisecond) // what the page just changed is painted
	p := filepath.Join(screenshotDir(t), name+".png")
	if out, err := exec.Command("import", "-window", "root", p).CombinedOutput(); err != nil {
		t.Fatalf("screenshot (imagemagick's import): %v: %s", err, out)
	}
	if colors, share := pngInk(t, p); colors < 20 || share < 0.05 {
		t.Fatalf("screenshot %s looks blank: %d colours, %.0f%% drawn", p, colors, share*100)
	}
	t.Logf("screenshot: %s", p)
	return p
}

// managerProfile installs the named examples, granting what each asks,
// into a new profile opened as an application would.
func managerProfile(t *testing.T, names ...string) *warden.Warden {
	t.Helper()
	ctx := context.Background()
	// Plugin windows open to the right of the manager's (at 0, 0), so
	// that a click meant for the manager never lands on one.
	opts := uiOptions()
	opts.X, opts.Y = 920, 40
	w, err := warden.Open(ctx, warden.Config{Profile: t.TempDir(), Logger: quietLog, Window: opts})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close(context.Background()) })
	for _, name := range names {
		installUnsigned(t, w, example(t, name))
	}
	return w
}

// installUnsigned packs the plugin in dir, unsigned, and installs it in w
// with every permission it asks for.
func installUnsigned(t testing.TB, w *warden.Warden, dir string) {
	t.Helper()
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), filepath.Base(dir)+".wbundle")
	if err := bundle.Pack(ctx, dir, out, bundle.PackOptions{}); err != nil {
		t.Fatal(err)
	}
	approve := func(context.Context, manager.ConsentRequest) error { return nil }
	if _, err := w.Plugins().Install(ctx, out, manager.InstallOptions{AllowUnsigned: true, Consent: approve}); err != nil {
		t.Fatalf("install %s: %v", dir, err)
	}
}

// managerAt opens w's manager window at the top-left corner of the screen
// and waits for its page.
func managerAt(t *testing.T, w *warden.Warden) *managerwin.Window {
	t.Helper()
	o := uiOptions()
	mw, err := w.OpenManager(context.Background(), managerwin.Options{Executable: o.Executable, Env: o.Env, Stderr: os.Stderr, Placed: true, Width: 900, Height: 700})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mw.Close() })
	waitUntil(t, "the manager's page is ready", 30*time.Second, func() bool {
		var ready bool
		mw.Eval(context.Background(), `return document.body.dataset.ready === "1"`, &ready)
		return ready
	})
	return mw
}

// clickManager clicks, as the user, the button of the manager's page that
// selector names (the window is at 0, 0), then gives the page a moment.
func clickManager(t *testing.T, mw *managerwin.Window, selector string) {
	t.Helper()
	var r struct{ X, Y float64 }
	err := mw.Eval(context.Background(), `const b = document.querySelector(`+jsString(selector)+`);
if (!b) throw new Error("no " + `+jsString(selector)+`);
b.scrollIntoView({block: "center"});
const r = b.getBoundingClientRect();
return {X: r.x + r.width / 2, Y: r.y + r.height / 2};`, &r)
	if err != nil {
		t.Fatal(err)
	}
	clickAt(t, int(r.X), int(r.Y))
}

// dialogText waits until the manager's dialog with that id is open and
// returns its text.
func dialogText(t *testing.T, mw *managerwin.Window, id string) string {
	t.Helper()
	var text string
	waitUntil(t, "the "+id+" dialog opens", 20*time.Second, func() bool {
		mw.Eval(context.Background(), `const d = document.getElementById(`+jsString(id)+`); return d.open ? d.textContent : ""`, &text)
		return text != ""
	})
	return text
}

// waitShown waits until the manager's page shows what selector names.
func waitShown(t *testing.T, mw *managerwin.Window, selector string) {
	t.Helper()
	waitUntil(t, "the manager shows "+selector, 20*time.Second, func() bool {
		var ok bool
		mw.Eval(context.Background(), `return document.querySelector(`+jsString(selector)+`) !== null`, &ok)
		return ok
	})
}

// consentDialogSays waits for the manager's install (or update) dialog
// and checks that it says each of wants and that Cancel has the focus.
func consentDialogSays(t *testing.T, mw *managerwin.Window, wants ...string) {
	t.Helper()
	text := dialogText(t, mw, "install")
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("the dialog does not say %q:\n%s", want, text)
		}
	}
	var focused string
	mw.Eval(context.Background(), `return document.activeElement.id`, &focused)
	if focused != "install-cancel" {
		t.Errorf("the focused button is %q, want Cancel", focused)
	}
}

// managerText returns the text of what selector names on the manager's page.
func managerText(t *testing.T, mw *managerwin.Window, selector string) []string {
	t.Helper()
	var out []string
	if err := mw.Eval(context.Background(), `return [...document.querySelectorAll(`+jsString(selector)+`)].map((e) => e.textContent)`, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestE2EManager drives the manager window as a user: Install a plugin…
// opens a file dialog, the user picks the notes bundle and presses
// "Install and allow" in the install dialog; the manager then lists the
// three examples with their permissions; Open opens notes' window;
// Disable closes it; Revoke takes storage away, the plugin's next
// storage.get is denied, and the activity view, filtered to denials,
// shows that. Screenshots of each view are saved.
func TestE2EManager(t *testing.T) {
	needDisplay(t)
	ctx := context.Background()
	w := managerProfile(t, "hello", "files")
	notesBundle := filepath.Join(t.TempDir(), "notes.wbundle")
	if err := bundle.Pack(ctx, example(t, "notes"), notesBundle, bundle.PackOptions{}); err != nil {
		t.Fatal(err)
	}
	mw := managerAt(t, w)

	clickManager(t, mw, "#install-pick")
	answerDialog(t, "^Install a Warden plugin$", "ctrl+l", notesBundle)
	asked := dialogText(t, mw, "install")
	if !strings.Contains(asked, "Install “Notes” 1.0.0?") || !strings.Contains(asked, "Store its own data on this computer") {
		t.Fatalf("the install dialog: %s", asked)
	}
	clickManager(t, mw, "#install-ok")
	waitUntil(t, "the manager lists the three examples", 20*time.Second, func() bool {
		return slices.Equal(managerText(t, mw, ".plugin .name"), []string{"Files", "Hello", "Notes"})
	})
	if got := managerText(t, mw, `.plugin[data-id="dev.warden.notes"] .perm strong`); !slices.Equal(got, []string{"storage"}) {
		t.Fatalf("the notes plugin's permissions: %q", got)
	}
	screenshotPNG(t, "manager-plugins")

	clickManager(t, mw, `.plugin[data-id="dev.warden.notes"] button[aria-label^="Open"]`)
	waitUntil(t, "the notes window opens from the manager", 30*time.Second, func() bool { return w.Running("dev.warden.notes") })
	// The page redraws the row (Open becomes Close window): click only
	// once it has, where the buttons now are.
	waitShown(t, mw, `.plugin[data-id="dev.warden.notes"] button[aria-label^="Close the window"]`)
	clickManager(t, mw, `.plugin[data-id="dev.warden.notes"] button[aria-label^="Disable"]`)
	waitUntil(t, "disabling notes closes its window", 30*time.Second, func() bool { return !w.Running("dev.warden.notes") })
	waitShown(t, mw, `.plugin[data-id="dev.warden.notes"] button[aria-label^="Enable"]`)
	if st, _ := w.Plugins().Status("dev.warden.notes"); st.State != "disabled" {
		t.Fatalf("notes after Disable: %s", st.State)
	}

	clickManager(t, mw, `.plugin[data-id="dev.warden.notes"] button[aria-label="Revoke storage from Notes 1.0.0"]`)
	waitUntil(t, "the revoke reaches the record", 30*time.Second, func() bool {
		st, _ := w.Plugins().Status("dev.warden.notes")
		_, ok := st.Grants["storage"]
		return !ok
	})
	// The plugin's next storage.get, as its page would send it.
	st, _ := w.Plugins().Status("dev.warden.notes")
	p, err := w.Host().Load(ctx, w.Plugins().Dir(st.Plugin), host.LoadOptions{Grants: st.Grants})
	if err != nil {
		t.Fatal(err)
	}
	l, key, err := p.Launch()
	if err != nil {
		t.Fatal(err)
	}
	env, err := isolation.Seal(key, p.ID(), l.ID(), isolation.Request{Seq: 1, ID: 1, Cmd: "storage.get", Args: []byte(`{"key":"notes"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if r := w.Host().Invoke(ctx, l, env); r.OK || r.Error == nil || r.Error.Code != host.CodeNotGranted {
		t.Fatalf("storage.get after the revoke: %+v", r)
	}
	if err := w.Host().Audit().Flush(ctx); err != nil {
		t.Fatal(err)
	}
	waitShown(t, mw, `.plugin[data-id="dev.warden.notes"] .perm.muted`) // "No permissions granted."
	clickManager(t, mw, "#audit-denied")
	waitUntil(t, "the activity view shows the denial", 20*time.Second, func() bool {
		rows := managerText(t, mw, "#audit tbody tr.denied")
		return slices.ContainsFunc(rows, func(s string) bool {
			return strings.Contains(s, "dev.warden.notes") && strings.Contains(s, "storage.get") && strings.Contains(s, "denied")
		})
	})
	screenshotPNG(t, "manager-audit-denied")
}

// TestE2EInstallFromFileManager: opening a .wbundle from the file manager
// is simulated by running the Exec line of the .desktop file that
// `warden desktop-integration install` writes: the running manager shows
// the install dialog with what the plugin asks for. Cancel, the default,
// installs nothing; "Install and allow" installs it with those grants. A
// file that is not a bundle gets a dialog saying what is wrong.
func TestE2EInstallFromFileManager(t *testing.T) {
	needDisplay(t)
	ctx := context.Background()
	w := managerProfile(t)
	stop, err := w.ServeControl(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	mw := managerAt(t, w)

	dataHome := t.TempDir()
	env := append(os.Environ(), "XDG_DATA_HOME="+dataHome)
	if _, errOut, code := wardenEnv(t, env, "--profile", w.Host().Profile(), "desktop-integration", "install"); code != 0 {
		t.Fatalf("desktop-integration install: exit %d\n%s", code, errOut)
	}
	entry, err := os.ReadFile(filepath.Join(dataHome, "applications", "warden.desktop"))
	if err != nil {
		t.Fatal(err)
	}
	mime, err := os.ReadFile(filepath.Join(dataHome, "mime", "packages", "warden-bundle.xml"))
	if err != nil || !strings.Contains(string(mime), `<glob pattern="*.wbundle"/>`) {
		t.Fatalf("the MIME type: %s (%v)", mime, err)
	}
	var execLine []string
	for _, l := range strings.Split(string(entry), "\n") {
		if v, ok := strings.CutPrefix(l, "Exec="); ok {
			execLine = strings.Fields(v)
		}
	}
	if !strings.Contains(string(entry), "MimeType=application/x-warden-bundle;") || len(execLine) < 2 || execLine[len(execLine)-1] != "%f" {
		t.Fatalf("warden.desktop:\n%s", entry)
	}
	bundlePath := filepath.Join(t.TempDir(), "hello.wbundle")
	if err := bundle.Pack(ctx, example(t, "hello"), bundlePath, bundle.PackOptions{}); err != nil {
		t.Fatal(err)
	}
	// What the file manager runs, the program itself aside (here the
	// test binary stands in for warden).
	open := func(path string) {
		t.Helper()
		args := slices.Clone(execLine[1:])
		args[len(args)-1] = path
		if out, errOut, code := wardenEnv(t, env, args...); code != 0 || !strings.Contains(out, "shows the install dialog") {
			t.Fatalf("the Exec line: exit %d\n%s%s", code, out, errOut)
		}
	}

	open(bundlePath)
	consentDialogSays(t, mw, "Install “Hello” 1.0.0?", "Published by Warden", "Nobody vouches for this bundle", "Store its own data on this computer", "Cancel", "Install and allow")
	screenshotPNG(t, "manager-install-consent")
	clickManager(t, mw, "#install-cancel")
	time.Sleep(500 * time.Millisecond)
	if list, _ := w.Plugins().List(); len(list) != 0 {
		t.Fatalf("Cancel installed %v", list)
	}

	open(bundlePath)
	dialogText(t, mw, "install")
	clickManager(t, mw, "#install-ok")
	waitUntil(t, "Install and allow installs hello", 20*time.Second, func() bool {
		st, err := w.Plugins().Status("dev.warden.hello")
		_, granted := st.Grants["storage"]
		return err == nil && granted
	})
	waitUntil(t, "the manager lists hello", 20*time.Second, func() bool {
		return slices.Equal(managerText(t, mw, ".plugin .name"), []string{"Hello"})
	})

	junk := filepath.Join(t.TempDir(), "broken.wbundle")
	if err := os.WriteFile(junk, []byte("not a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	open(junk)
	problem := dialogText(t, mw, "problem")
	if !strings.Contains(problem, "Warden cannot install this file") || !strings.Contains(problem, "“broken.wbundle” is not a Warden plugin bundle, or it is damaged.") {
		t.Errorf("the problem dialog: %q", problem)
	}
	t.Logf("the problem dialog says: %s", problem)
	screenshotPNG(t, "manager-install-problem")
}

// TestE2EManagerRaisedWhenItAsks: a bundle opened while a plugin's
// window covers the manager brings the manager, with its dialog, above
// that window. The manager's window has Warden's icon.
func TestE2EManagerRaisedWhenItAsks(t *testing.T) {
	needDisplay(t)
	ctx := context.Background()
	opts := uiOptions()
	opts.X, opts.Y = 100, 100 // over the manager's window
	w, err := warden.Open(ctx, warden.Config{Profile: t.TempDir(), Logger: quietLog, Window: opts})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(ctx)
	installUnsigned(t, w, example(t, "hello"))
	mw := managerAt(t, w)
	managerID := findWindow(t, "^Warden$")
	// The manager has Warden's own icon.
	icon, err := exec.Command("xprop", "-id", managerID, "-f", "_NET_WM_ICON", "32c", " = $0, $1\n", "_NET_WM_ICON").CombinedOutput()
	if err != nil || !regexp.MustCompile(`^_NET_WM_ICON\(CARDINAL\) = (16, 16|48, 48|128, 128)$`).MatchString(strings.TrimSpace(string(icon))) {
		t.Errorf("the manager window's icon: %.200s (%v)", icon, err)
	}
	if err := w.Run(ctx, "dev.warden.hello"); err != nil {
		t.Fatal(err)
	}
	pluginID := findWindow(t, "^Hello — plugin by Warden$")
	if !above(t, pluginID, managerID) {
		t.Fatal("the plugin's window, opened last, is not above the manager's")
	}
	notes := filepath.Join(t.TempDir(), "notes.wbundle")
	if err := bundle.Pack(ctx, example(t, "notes"), notes, bundle.PackOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := w.OfferInstall(ctx, notes); err != nil {
		t.Fatal(err)
	}
	dialogText(t, mw, "install")
	waitUntil(t, "the manager is raised above the plugin's window", 10*time.Second, func() bool {
		return above(t, managerID, pluginID)
	})
}

// above reports whether top-level X window a is stacked above b, as
// xwininfo lists the root's children (topmost first).
func above(t *testing.T, a, b string) bool {
	t.Helper()
	out, err := exec.Command("xwininfo", "-root", "-children").Output()
	if err != nil {
		t.Fatalf("xwininfo (x11-utils): %v", err)
	}
	hex := func(id string) string {
		n, err := strconv.ParseUint(id, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("0x%x ", n)
	}
	ia, ib := strings.Index(string(out), hex(a)), strings.Index(string(out), hex(b))
	if ia < 0 || ib < 0 {
		t.Fatalf("windows %s and %s are not both among the root's children:\n%s", a, b, out)
	}
	return ia < ib
}

// TestE2EManagerByKeyboard: Tab alone reaches every button of the
// manager's page, each with a visible focus ring, and Return acts: the
// plugin is disabled, and the focus stays in its entry when the list is
// drawn again.
func TestE2EManagerByKeyboard(t *testing.T) {
	needDisplay(t)
	ctx := context.Background()
	w := managerProfile(t, "hello", "notes")
	mw := managerAt(t, w)
	type focus struct {
		Label   string
		Outline string
		Plugin  string
	}
	current := func() focus {
		var f focus
		if err := mw.Eval(ctx, `const e = document.activeElement, s = getComputedStyle(e);
return {Label: e.getAttribute("aria-label") || e.id || e.textContent, Outline: s.outlineStyle + " " + s.outlineWidth, Plugin: e.closest(".plugin")?.dataset.id || ""}`, &f); err != nil {
			t.Fatal(err)
		}
		return f
	}
	// Without a window manager the keyboard goes to the window under the
	// pointer.
	xdo(t, "mousemove", "450", "40", "sleep", "0.2")
	press := func(key string) { xdo(t, "key", key) }
	var all []string
	if err := mw.Eval(ctx, `return [...document.querySelectorAll("main button, main select, main input")].filter((b) => !b.closest("[hidden]") && !b.hidden).map((b) => b.getAttribute("aria-label") || b.id || b.textContent)`, &all); err != nil {
		t.Fatal(err)
	}
	reached := map[string]bool{}
	for range 3 * len(all) {
		press("Tab")
		f := current()
		if f.Label == "" || reached[f.Label] {
			continue
		}
		reached[f.Label] = true
		if f.Outline != "solid 3px" {
			t.Errorf("%q has the focus with outline %q: not visible", f.Label, f.Outline)
		}
		if len(reached) == len(all) {
			break
		}
	}
	for _, a := range all {
		if !reached[a] {
			t.Errorf("Tab never reaches %q", a)
		}
	}
	// Back to Disable Hello, and Return.
	for i := 0; current().Label != "Disable Hello 1.0.0"; i++ {
		if i > 3*len(all) {
			t.Fatal("Tab never comes back to Disable Hello 1.0.0")
		}
		press("Tab")
	}
	press("Return")
	waitUntil(t, "Return disables hello", 20*time.Second, func() bool {
		st, _ := w.Plugins().Status("dev.warden.hello")
		return st.State == "disabled"
	})
	waitShown(t, mw, `.plugin[data-id="dev.warden.hello"] button[aria-label="Enable Hello 1.0.0"]`)
	if f := current(); f.Plugin != "dev.warden.hello" {
		t.Errorf("after the list was drawn again the focus is on %+v, not in Hello's entry", f)
	}
}

// TestE2EManagerUpdateAndRollback: an update that asks for a new
// permission waits, off, in the manager, with what it asks for and why;
// Allow turns it on with the grant; Roll back returns to the version
// before.
func TestE2EManagerUpdateAndRollback(t *testing.T) {
	needDisplay(t)
	ctx := context.Background()
	w, err := warden.Open(ctx, warden.Config{Profile: t.TempDir(), Logger: quietLog, Window: uiOptions()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(ctx)
	src := plugintest.Tiny(t, "hello")
	installUnsigned(t, w, src) // 1.0.0
	mf := filepath.Join(src, "manifest.json")
	b, err := os.ReadFile(mf)
	if err != nil {
		t.Fatal(err)
	}
	m := strings.Replace(string(b), `"version": "1.0.0"`, `"version": "1.1.0"`, 1)
	m = strings.Replace(m, `"permissions": ["storage"]`, `"permissions": ["storage", "notifications"], "reasons": {"notifications": "To say when a greeting arrives"}`, 1)
	if err := os.WriteFile(mf, []byte(m), 0o644); err != nil {
		t.Fatal(err)
	}
	installUnsigned(t, w, src) // 1.1.0, edited above
	mw := managerAt(t, w)
	text := strings.Join(managerText(t, mw, `.plugin[data-id="dev.warden.hello"]`), "")
	for _, want := range []string{"1.1.0", "disabled", "notifications", "Show desktop notifications", "the update to 1.1.0 asks for it", "“To say when a greeting arrives”", "Roll back to 1.0.0"} {
		if !strings.Contains(text, want) {
			t.Errorf("the manager does not show %q:\n%s", want, text)
		}
	}
	screenshotPNG(t, "manager-update-pending")
	clickManager(t, mw, `.plugin[data-id="dev.warden.hello"] button[aria-label="Allow notifications for Hello 1.1.0"]`)
	waitUntil(t, "Allow grants the update's permission", 20*time.Second, func() bool {
		st, _ := w.Plugins().Status("dev.warden.hello")
		_, ok := st.Grants["notifications"]
		return ok && st.State == "enabled"
	})
	waitShown(t, mw, `.plugin[data-id="dev.warden.hello"] button[aria-label="Disable Hello 1.1.0"]`)
	clickManager(t, mw, `.plugin[data-id="dev.warden.hello"] button[aria-label^="Roll Hello 1.1.0 back"]`)
	waitUntil(t, "Roll back returns to 1.0.0", 20*time.Second, func() bool {
		st, _ := w.Plugins().Status("dev.warden.hello")
		return st.Version == "1.0.0"
	})
}

// TestE2EManagerRegistryUpdate: the manager checks the profile's registry
// (the one warden install --registry remembered) and shows the newer
// version with what it adds; "Update to …" shows the update dialog,
// Cancel (focused) changes nothing, and "Update and allow" installs the
// version shown with its new permission granted.
func TestE2EManagerRegistryUpdate(t *testing.T) {
	needDisplay(t)
	ctx := context.Background()
	f := newRegistryFixture(t, example(t, "hello"), "1.1.0")
	f.publish(t, "1.0.0")
	prof := filepath.Join(f.dir, "profile")
	mustPlain(t, "--profile", prof, "install", "dev.warden.hello@^1", "--registry", f.url, "--registry-key", f.regPub, "--grant", "storage")
	f.publish(t, "1.1.0")

	opts := uiOptions()
	opts.X, opts.Y = 920, 40
	w, err := warden.Open(ctx, warden.Config{Profile: prof, Logger: quietLog, Window: opts})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(ctx)
	mw := managerAt(t, w)
	button := `.plugin[data-id="dev.warden.hello"] button[aria-label="Update Hello 1.0.0 to 1.1.0"]`
	waitShown(t, mw, button)
	text := strings.Join(managerText(t, mw, `.plugin[data-id="dev.warden.hello"] .update`), "")
	if !strings.Contains(text, "Version 1.1.0 is available; it also asks for: Show desktop notifications") {
		t.Fatalf("the manager shows the update as %q", text)
	}
	if status := strings.Join(managerText(t, mw, "#updates-status"), ""); !strings.Contains(status, "1 update available from "+f.url) {
		t.Errorf("update status: %q", status)
	}

	clickManager(t, mw, button)
	consentDialogSays(t, mw, "Update “Hello” from 1.0.0 to 1.1.0?", "Besides what you allowed before, the update asks to:", "Show desktop notifications", "Update and allow")
	screenshotPNG(t, "manager-update-consent")
	clickManager(t, mw, "#install-cancel")
	waitUntil(t, "the dialog closes", 10*time.Second, func() bool {
		var open bool
		mw.Eval(ctx, `return document.getElementById("install").open`, &open)
		return !open
	})
	if st, _ := w.Plugins().Status("dev.warden.hello"); st.Version != "1.0.0" {
		t.Fatalf("Cancel updated the plugin to %s", st.Version)
	}

	clickManager(t, mw, button)
	dialogText(t, mw, "install")
	clickManager(t, mw, "#install-ok")
	waitUntil(t, "the update is applied with its permission", 30*time.Second, func() bool {
		st, _ := w.Plugins().Status("dev.warden.hello")
		_, ok := st.Grants["notifications"]
		return st.Version == "1.1.0" && ok && st.State == "enabled"
	})
	waitShown(t, mw, `.plugin[data-id="dev.warden.hello"] button[aria-label="Disable Hello 1.1.0"]`)
}

// TestE2EManagerShowsCrashes: when a plugin's window crashes, the open
// manager shows it by itself (no click): the plugin's last crash and how,
// kept in its record, and a "crashed" row in the activity view. Plugin
// icons are shown as the core re-encoded them.
func TestE2EManagerShowsCrashes(t *testing.T) {
	needDisplay(t)
	ctx := context.Background()
	w := managerProfile(t, "hello", "notes")
	mw := managerAt(t, w)
	var icon struct {
		Src   string
		Width int
	}
	// The list may be drawn before the icon is decoded.
	waitShown(t, mw, `.plugin[data-id="dev.warden.hello"] img.icon`)
	waitUntil(t, "hello's icon decoded", 10*time.Second, func() bool {
		var complete bool
		mw.Eval(ctx, `const i = document.querySelector('.plugin[data-id="dev.warden.hello"] img.icon'); return i.complete`, &complete)
		return complete
	})
	if err := mw.Eval(ctx, `const i = document.querySelector('.plugin[data-id="dev.warden.hello"] img.icon'); return {Src: i.src.slice(0, 22), Width: i.naturalWidth}`, &icon); err != nil {
		t.Fatal(err)
	}
	if icon.Src != "data:image/png;base64," || icon.Width != 128 {
		t.Errorf("hello's icon in the list: %+v, want a decoded 128-pixel data: PNG", icon)
	}
	if err := w.Run(ctx, "dev.warden.hello"); err != nil {
		t.Fatal(err)
	}
	waitShown(t, mw, `.plugin[data-id="dev.warden.hello"] .running`)
	ui := w.Windows().Window("dev.warden.hello")
	rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := ui.WaitReady(rctx); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(ui.PID(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitShown(t, mw, `.plugin[data-id="dev.warden.hello"] .crash`)
	text := strings.Join(managerText(t, mw, `.plugin[data-id="dev.warden.hello"] .crash`), "")
	if !strings.Contains(text, "Last crash") || !strings.Contains(text, "signal: killed") || !strings.Contains(text, "it was restarted") {
		t.Errorf("the manager shows the crash as %q", text)
	}
	if rows := strings.Join(managerText(t, mw, "#audit tbody tr"), "\n"); !strings.Contains(rows, "warden.crashcrashed") {
		t.Errorf("the activity view has no crash:\n%s", rows)
	}
	st, err := w.Plugins().Status("dev.warden.hello")
	if err != nil || st.CrashedAt.IsZero() || !strings.Contains(st.CrashReason, "signal: killed") {
		t.Fatalf("the record keeps the crash as %v %q (%v)", st.CrashedAt, st.CrashReason, err)
	}
	screenshotPNG(t, "manager-crash")
}

// TestE2EManagerAsksForRunTimePermission: while the manager is open, a
// plugin's request for an optional permission (within the user's real
// click in the plugin's window) is asked in the manager, in Warden's
// words; "Allow" there grants it and the plugin's page learns so; the
// answer is kept in the plugin's record.
func TestE2EManagerAsksForRunTimePermission(t *testing.T) {
	needDisplay(t)
	ctx := context.Background()
	opts := uiOptions()
	opts.X, opts.Y = 920, 40
	w, err := warden.Open(ctx, warden.Config{Profile: t.TempDir(), Logger: quietLog, Window: opts})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(ctx)
	dir := pagePluginWith(t, "Asker", map[string]any{
		"ui":          map[string]any{"entry": "ui/index.html", "window": map[string]any{"width": 340, "height": 300}},
		"permissions": []string{}, "optional_permissions": []string{"clipboard.read"},
		"reasons": map[string]string{"clipboard.read": "To paste what you copied"},
	}, askPage)
	installUnsigned(t, w, dir)
	mw := managerAt(t, w)
	if err := w.Run(ctx, "test.warden.asker"); err != nil {
		t.Fatal(err)
	}
	ui := w.Windows().Window("test.warden.asker")
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := ui.WaitReady(wctx); err != nil {
		t.Fatal(err)
	}

	clickAt(t, opts.X+150, opts.Y+150)
	asked := dialogText(t, mw, "ask")
	for _, want := range []string{"Warden: Asker asks for a permission", "Allow the plugin “Asker” to:", "Read what you copy to the clipboard", "“To paste what you copied”", "Don't allow"} {
		if !strings.Contains(asked, want) {
			t.Errorf("the manager's question does not say %q:\n%s", want, asked)
		}
	}
	screenshotPNG(t, "manager-runtime-permission")
	clickManager(t, mw, "#ask-allow")
	if got := waitResult(t, ui, "granted"); got != "granted true" {
		t.Fatalf("the page after Allow in the manager: %q", got)
	}
	st, err := w.Plugins().Status("test.warden.asker")
	if _, ok := st.Grants["clipboard.read"]; err != nil || !ok {
		t.Fatalf("the record after Allow: %v %v", st.Grants, err)
	}
}

// TestE2EManagerDarkAndScaled: the manager follows the desktop's dark
// preference and its scale: under GTK's dark theme at 200% its page is
// dark and drawn at twice the pixels, and still lists the plugins.
func TestE2EManagerDarkAndScaled(t *testing.T) {
	t.Parallel() // no pointer: it may run beside other windows
	needDisplay(t)
	ctx := context.Background()
	w := managerProfile(t, "hello")
	o := uiOptions()
	env := append(slices.Clone(o.Env), "GTK_THEME=Adwaita:dark", "GDK_SCALE=2")
	mw, err := w.OpenManager(ctx, managerwin.Options{Executable: o.Executable, Env: env, Stderr: os.Stderr, Placed: true, Width: 600, Height: 340})
	if err != nil {
		t.Fatal(err)
	}
	defer mw.Close()
	var look struct {
		Ready bool    `json:"ready"`
		Dark  bool    `json:"dark"`
		Ratio float64 `json:"ratio"`
		BG    string  `json:"bg"`
	}
	waitUntil(t, "the manager's page is ready", 30*time.Second, func() bool {
		mw.Eval(ctx, `return {ready: document.body.dataset.ready === "1", dark: matchMedia("(prefers-color-scheme: dark)").matches,
  ratio: devicePixelRatio, bg: getComputedStyle(document.body).backgroundColor}`, &look)
		return look.Ready
	})
	if !look.Dark || look.Ratio != 2 || look.BG != "rgb(27, 27, 31)" {
		t.Fatalf("under a dark theme at 200%%: %+v", look)
	}
	if got := managerText(t, mw, ".plugin .name"); !slices.Equal(got, []string{"Hello"}) {
		t.Fatalf("the manager lists %q", got)
	}
	screenshotPNG(t, "manager-dark-200")
}
