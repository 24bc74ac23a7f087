package host

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/wardenhq/warden/host/backend"
	"github.com/wardenhq/warden/permissions"
)

// consentLog is a ConsentMemory that records what it is told.
type consentLog struct {
	mu   sync.Mutex
	got  []string // "id perm,perm allow|deny"
	fail error
}

func (c *consentLog) RememberConsent(_ context.Context, id string, perms []string, allow bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail != nil {
		return c.fail
	}
	a := "deny"
	if allow {
		a = "allow"
	}
	c.got = append(c.got, id+" "+strings.Join(perms, ",")+" "+a)
	return nil
}

func (c *consentLog) calls() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.got)
}

// askerPlugin loads a plugin with optional permissions clipboard.read,
// dialog and open_url (a reason given for clipboard.read), launched in desk.
func askerPlugin(t *testing.T, h *Host, id string, opts LoadOptions, desk Desktop) *client {
	t.Helper()
	dir := writeProbe(t, probeManifest{id: id, perms: []string{"storage"}, tiny: true,
		optional: []string{"clipboard.read", "dialog", "open_url"},
		reasons:  map[string]string{"clipboard.read": "To paste what you copied into a note"}})
	if opts.Grants == nil {
		opts.Grants = grants("storage")
	}
	c := launch(t, load(t, h, dir, opts))
	c.l.SetDesktop(desk)
	return c
}

// TestPermissionsRequest: a page asks for its optional permissions within
// a gesture; the user's allow is applied at once and remembered, a "no" is
// remembered and answered without asking again, a closed dialog grants
// nothing and remembers nothing; and nothing but a declared optional
// permission can be asked for.
func TestPermissionsRequest(t *testing.T) {
	ctx := context.Background()
	mem := &consentLog{}
	h := newHost(t, Options{Consents: mem})
	desk := &fakeDesktop{text: "copied"}
	c := askerPlugin(t, h, "dev.warden.asker", LoadOptions{}, desk)
	ask := func(perms ...string) Reply {
		t.Helper()
		return h.Invoke(ctx, c.l, c.seal(t, "permissions.request", map[string]any{"permissions": perms}))
	}

	// Refused before anyone is asked.
	if r := ask("clipboard.read"); replyCode(r) != CodeNoUserGesture {
		t.Fatalf("without a gesture: %+v", r.Error)
	}
	desk.set(true, "")
	for name, perms := range map[string][]string{
		"a required permission":  {"storage"},
		"an undeclared one":      {"fs.read"},
		"one of many undeclared": {"dialog", "notifications"},
	} {
		if r := ask(perms...); replyCode(r) != CodeNotDeclared || !strings.Contains(r.Error.Message, "optional_permissions") {
			t.Errorf("%s: %+v", name, r.Error)
		}
	}
	if r := ask(); replyCode(r) != CodeBadArgs {
		t.Errorf("no permissions: %+v", r.Error)
	}
	if len(desk.asked) != 0 || len(mem.calls()) != 0 {
		t.Fatalf("asked %d times, remembered %v for refused requests", len(desk.asked), mem.calls())
	}

	// Allowed: granted at once, and remembered.
	if r := h.Invoke(ctx, c.l, c.seal(t, "clipboard.read", nil)); replyCode(r) != CodeNotGranted {
		t.Fatalf("clipboard.read before consent: %+v", r.Error)
	}
	desk.answer = ConsentAllowed
	if r := ask("clipboard.read"); !r.OK || string(r.Result) != `{"granted":true}` {
		t.Fatalf("allowed: %+v %s", r.Error, r.Result)
	}
	if len(desk.asked) != 1 {
		t.Fatalf("asked %d times", len(desk.asked))
	}
	p := desk.asked[0]
	for _, want := range []string{"Probe", "Read what you copy to the clipboard", "The plugin's author says why: “To paste what you copied into a note”", "warden revoke dev.warden.asker clipboard.read"} {
		if !strings.Contains(p.Title+"\n"+p.Text+"\n"+p.Detail, want) {
			t.Errorf("the prompt does not say %q:\n%s\n%s\n%s", want, p.Title, p.Text, p.Detail)
		}
	}
	if got := mem.calls(); !slices.Equal(got, []string{"dev.warden.asker clipboard.read allow"}) {
		t.Fatalf("remembered %v", got)
	}
	if r := h.Invoke(ctx, c.l, c.seal(t, "clipboard.read", nil)); !r.OK || string(r.Result) != `{"text":"copied"}` {
		t.Fatalf("clipboard.read after consent: %+v %s", r.Error, r.Result)
	}
	if r := h.Invoke(ctx, c.l, c.seal(t, "permissions.contains", map[string]any{"permissions": []string{"clipboard.read"}})); string(r.Result) != `{"granted":true}` {
		t.Fatalf("contains: %+v %s", r.Error, r.Result)
	}
	if r := ask("clipboard.read"); string(r.Result) != `{"granted":true}` || len(desk.asked) != 1 {
		t.Fatalf("asking again for a granted permission: %s, asked %d times", r.Result, len(desk.asked))
	}

	// Closed: nothing granted, nothing remembered, asked again next time.
	desk.answer = ConsentDismissed
	if r := ask("open_url"); !r.OK || string(r.Result) != `{"granted":false}` {
		t.Fatalf("dismissed: %+v %s", r.Error, r.Result)
	}
	if r := h.Invoke(ctx, c.l, c.seal(t, "permissions.contains", map[string]any{"permissions": []string{"open_url", "clipboard.read"}})); string(r.Result) != `{"granted":false}` {
		t.Fatalf("contains after dismissal: %s", r.Result)
	}

	// Refused: remembered, and answered without asking from then on.
	desk.answer = ConsentDenied
	if r := ask("dialog", "open_url"); string(r.Result) != `{"granted":false}` || len(desk.asked) != 3 {
		t.Fatalf("denied: %s, asked %d times", r.Result, len(desk.asked))
	}
	desk.answer = ConsentAllowed
	for _, perms := range [][]string{{"dialog"}, {"open_url"}, {"clipboard.read", "dialog"}} {
		if r := ask(perms...); string(r.Result) != `{"granted":false}` {
			t.Fatalf("%v after a no: %s", perms, r.Result)
		}
	}
	if len(desk.asked) != 3 {
		t.Fatalf("a remembered no was asked again: %d prompts", len(desk.asked))
	}
	if got := mem.calls(); !slices.Equal(got, []string{"dev.warden.asker clipboard.read allow", "dev.warden.asker dialog,open_url deny"}) {
		t.Fatalf("remembered %v", got)
	}
	if r := h.Invoke(ctx, c.l, c.seal(t, "dialog.open", nil)); replyCode(r) != CodeNotGranted {
		t.Fatalf("dialog.open after a no: %+v", r.Error)
	}

	// Only the page asks: a backend has nobody to ask.
	if _, err := h.hostCall(ctx, backend.HostCall{PluginID: "dev.warden.asker", Origin: c.l, Command: []byte("permissions.request"), Args: []byte(`{"permissions":["dialog"]}`)}); err == nil {
		t.Error("a backend asked the user")
	}
}

// TestPermissionsRequestKnownAnswers: what the core already knows is
// answered without a dialog: the admin's ceiling, a no remembered from an
// earlier run; an answer that cannot be remembered is not applied; and a
// plugin run from source is not the installed one, so its answers are
// not written to the installed plugin's record.
func TestPermissionsRequestKnownAnswers(t *testing.T) {
	ctx := context.Background()
	mem := &consentLog{}
	h := newHost(t, Options{Consents: mem})
	desk := &fakeDesktop{gesture: true, answer: ConsentAllowed}
	ask := func(c *client, perms ...string) Reply {
		t.Helper()
		return h.Invoke(ctx, c.l, c.seal(t, "permissions.request", map[string]any{"permissions": perms}))
	}

	blocked := askerPlugin(t, h, "dev.warden.blocked", LoadOptions{Ceiling: permissions.Ceiling{Blocked: []string{"clipboard.read"}}}, desk)
	if r := ask(blocked, "clipboard.read"); string(r.Result) != `{"granted":false}` {
		t.Errorf("above the ceiling: %+v %s", r.Error, r.Result)
	}
	denied := askerPlugin(t, h, "dev.warden.denied", LoadOptions{Denied: []string{"dialog"}}, desk)
	if r := ask(denied, "dialog"); string(r.Result) != `{"granted":false}` {
		t.Errorf("remembered no: %+v %s", r.Error, r.Result)
	}
	if len(desk.asked) != 0 {
		t.Fatalf("asked %d times", len(desk.asked))
	}

	mem.fail = errors.New("disk full")
	broken := askerPlugin(t, h, "dev.warden.broken", LoadOptions{}, desk)
	if r := ask(broken, "open_url"); r.OK || !strings.Contains(r.Error.Message, "disk full") {
		t.Errorf("unremembered answer: %+v %s", r.Error, r.Result)
	}
	if r := h.Invoke(ctx, broken.l, broken.seal(t, "permissions.contains", map[string]any{"permissions": []string{"open_url"}})); string(r.Result) != `{"granted":false}` {
		t.Errorf("an answer that could not be remembered was applied: %s", r.Result)
	}
	mem.fail = nil

	src := askerPlugin(t, h, "dev.warden.src", LoadOptions{Source: true}, desk)
	if r := ask(src, "open_url"); string(r.Result) != `{"granted":true}` {
		t.Fatalf("source plugin: %+v %s", r.Error, r.Result)
	}
	if got := mem.calls(); len(got) != 0 {
		t.Errorf("remembered %v", got)
	}
}

// elsewhere is a ConsentDialogs whose dialog, when open, answers answer.
type elsewhere struct {
	open   bool
	answer ConsentAnswer
	asked  []string
}

func (e *elsewhere) ConsentDialog() func(context.Context, string, ConsentPrompt) (ConsentAnswer, error) {
	if !e.open {
		return nil
	}
	return func(_ context.Context, id string, p ConsentPrompt) (ConsentAnswer, error) {
		e.asked = append(e.asked, id+": "+p.Text)
		return e.answer, nil
	}
}

// TestPermissionsRequestElsewhere: with a consent dialog offered elsewhere
// (the manager window), the page's window only gives up the user's
// gesture and the question is asked there; without a gesture nobody is
// asked; with none offered, the page's window asks as before.
func TestPermissionsRequestElsewhere(t *testing.T) {
	ctx := context.Background()
	other := &elsewhere{open: true, answer: ConsentAllowed}
	h := newHost(t, Options{ConsentDialogs: other})
	desk := &fakeDesktop{answer: ConsentAllowed}
	c := askerPlugin(t, h, "dev.warden.elsewhere", LoadOptions{}, desk)
	ask := func(perm string) Reply {
		t.Helper()
		return h.Invoke(ctx, c.l, c.seal(t, "permissions.request", map[string]any{"permissions": []string{perm}}))
	}
	if r := ask("clipboard.read"); replyCode(r) != CodeNoUserGesture || len(other.asked) != 0 {
		t.Fatalf("without a gesture: %+v, asked %v", r.Error, other.asked)
	}
	desk.set(true, "")
	if r := ask("clipboard.read"); string(r.Result) != `{"granted":true}` {
		t.Fatalf("asked elsewhere: %+v %s", r.Error, r.Result)
	}
	if len(other.asked) != 1 || !strings.Contains(other.asked[0], "dev.warden.elsewhere: Allow the plugin “Probe”") || desk.taken != 1 || len(desk.asked) != 0 {
		t.Fatalf("asked elsewhere %v, gestures taken %d, asked in the window %d", other.asked, desk.taken, len(desk.asked))
	}
	other.open = false
	if r := ask("dialog"); string(r.Result) != `{"granted":true}` || len(desk.asked) != 1 {
		t.Fatalf("with nothing elsewhere: %s, asked in the window %d times", r.Result, len(desk.asked))
	}
}
