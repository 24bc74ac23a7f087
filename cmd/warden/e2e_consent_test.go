package main

import (
	"context"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/permissions"
)

// answers is a host.ConsentMemory that records what it is told.
type answers struct {
	mu  sync.Mutex
	got []string
}

func (a *answers) RememberConsent(_ context.Context, id string, perms []string, allow bool) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	word := "deny"
	if allow {
		word = "allow"
	}
	a.got = append(a.got, id+" "+strings.Join(perms, ",")+" "+word)
	return nil
}

func (a *answers) list() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.got)
}

// askPage asks on a click for window.ask (a permission), or, in mode
// "read", reads the clipboard.
var askPage = desktopPage(`if (window.mode === "read") return "read " + (await warden.invoke("clipboard.read")).text;
  return "granted " + (await warden.invoke("permissions.request", {permissions: [window.ask]})).granted;`) + `
window.ask = "clipboard.read";
window.mode = "ask";`

// consentTitle is the title of the consent dialog of the plugin named name.
func consentTitle(name string) string { return "^Warden: " + name + " asks for a permission$" }

// noWindow fails when a window named name shows within a second.
func noWindow(t *testing.T, name string) {
	t.Helper()
	xdotool, err := exec.LookPath("xdotool")
	if err != nil {
		t.Fatalf("xdotool is needed to act as the user (scripts/setup.sh installs it): %v", err)
	}
	time.Sleep(time.Second)
	if out, _ := exec.Command(xdotool, "search", "--onlyvisible", "--name", name).Output(); len(strings.Fields(string(out))) > 0 {
		t.Fatalf("a window named %q is showing", name)
	}
}

// answerConsent gives the consent dialog of plugin name the focus and
// presses keys in it, as the user.
func answerConsent(t *testing.T, name, keys string) {
	t.Helper()
	id := findWindow(t, consentTitle(name))
	// Without a window manager nobody gives the new dialog the focus.
	xdo(t, "windowfocus", "--sync", id, "sleep", "0.3", "key", keys)
}

// TestE2ERunTimeConsent: a page asks, within the user's real click, for a
// permission its manifest lists as optional. Warden shows its own dialog;
// "Allow" grants it at once (the page then reads the clipboard in the
// next click) and is remembered; closing the dialog grants nothing and
// remembers nothing; "Don't allow", the default (Return), is remembered
// and the plugin's next request is answered with no dialog. A request from
// the page's own script, with no click, shows nothing.
func TestE2ERunTimeConsent(t *testing.T) {
	needDisplay(t)
	mem := &answers{}
	h := e2eHost(t, host.Options{Consents: mem})
	opts := uiOptions()
	opts.X, opts.Y = 40, 40
	dir := pagePluginWith(t, "Asker", map[string]any{
		"permissions": []string{"clipboard.write"}, "optional_permissions": []string{"clipboard.read", "dialog"},
		"reasons": map[string]string{"clipboard.read": "To paste what you copied"},
	}, askPage)
	now := permissions.Grants{"clipboard.write": {Permission: "clipboard.write", GrantedAt: time.Now()}}
	p, ui := openPlugin(t, h, dir, now, opts)
	click := func() { t.Helper(); clickAt(t, opts.X+200, opts.Y+150) }
	reset := func(mode, ask string) {
		t.Helper()
		eval(t, ui, `window.results = []; window.mode = `+jsString(mode)+`; window.ask = `+jsString(ask)+`; return true`, new(bool))
	}

	// The window's title says whose it is, and the page cannot change it
	// to pass for Warden's own dialog.
	findWindow(t, "^Asker — plugin$")
	eval(t, ui, `document.title = "Warden: Asker asks for a permission"; return true`, new(bool))
	noWindow(t, consentTitle("Asker"))

	if got := invokeCode(t, ui, "permissions.request", `{permissions: ["clipboard.read"]}`); got != "no_user_gesture" {
		t.Fatalf("permissions.request from the page's script: %s", got)
	}
	if got := invokeCode(t, ui, "permissions.request", `{permissions: ["notifications"]}`); got != "not_declared" {
		t.Fatalf("permissions.request of a permission not declared optional: %s", got)
	}
	if got := invokeCode(t, ui, "clipboard.write", `{text: "copied for Asker"}`); got != "ok null" {
		t.Fatalf("clipboard.write: %s", got)
	}

	click()
	answerConsent(t, "Asker", "alt+a")
	if got := waitResult(t, ui, "granted"); got != "granted true" {
		t.Fatalf("after Allow: %q", got)
	}
	if got := mem.list(); !slices.Equal(got, []string{p.ID() + " clipboard.read allow"}) {
		t.Fatalf("remembered %v", got)
	}
	reset("read", "")
	click()
	if got := waitResult(t, ui, "read"); got != "read copied for Asker" {
		t.Fatalf("clipboard.read after Allow: %q", got)
	}

	// Closed without an answer: nothing granted, nothing remembered.
	reset("ask", "dialog")
	click()
	answerConsent(t, "Asker", "Escape")
	if got := waitResult(t, ui, "granted"); got != "granted false" {
		t.Fatalf("after closing the dialog: %q", got)
	}
	// Asked again; Return presses the default button, "Don't allow".
	reset("ask", "dialog")
	click()
	answerConsent(t, "Asker", "Return")
	if got := waitResult(t, ui, "granted"); got != "granted false" {
		t.Fatalf("after Don't allow: %q", got)
	}
	if got := mem.list(); !slices.Equal(got, []string{p.ID() + " clipboard.read allow", p.ID() + " dialog deny"}) {
		t.Fatalf("remembered %v", got)
	}
	// The "no" is remembered: no dialog this time.
	reset("ask", "dialog")
	click()
	if got := waitResult(t, ui, "granted"); got != "granted false" {
		t.Fatalf("asking again after Don't allow: %q", got)
	}
	noWindow(t, consentTitle("Asker"))
	if got := invokeCode(t, ui, "dialog.open", `{}`); got != "not_granted" {
		t.Fatalf("dialog.open after Don't allow: %s", got)
	}
}
