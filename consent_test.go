package warden

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/isolation"
	"github.com/wardenhq/warden/plugins/bundle"
	"github.com/wardenhq/warden/plugins/manager"
)

// yesDesktop is a window whose user answers every consent dialog with
// answer; it has no clipboard and no file dialogs.
type yesDesktop struct {
	host.Desktop
	answer host.ConsentAnswer
}

func (d yesDesktop) AskConsent(context.Context, host.ConsentPrompt) (host.ConsentAnswer, error) {
	return d.answer, nil
}

// TestRunTimeConsentIsRemembered: the user's answers to an installed
// plugin's permissions.request land in its record, and the record's
// remembered "no" is what the plugin is loaded with next time.
func TestRunTimeConsentIsRemembered(t *testing.T) {
	ctx := context.Background()
	w, err := Open(ctx, Config{Profile: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(ctx)
	src := t.TempDir()
	files := map[string]string{
		"manifest.json": `{"manifest_version": 1, "id": "test.warden.asker", "name": "Asker", "version": "1.0.0",
  "host": ">=0.1.0 <1.0.0", "ui": {"entry": "ui/index.html"}, "optional_permissions": ["clipboard.read", "dialog"]}`,
		"ui/index.html": `<!doctype html><title>Asker</title>`,
	}
	for name, body := range files {
		p := filepath.Join(src, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "asker.wbundle")
	if err := bundle.Pack(ctx, src, out, bundle.PackOptions{}); err != nil {
		t.Fatal(err)
	}
	approve := func(context.Context, manager.ConsentRequest) error { return nil }
	if _, err := w.Plugins().Install(ctx, out, manager.InstallOptions{AllowUnsigned: true, Consent: approve}); err != nil {
		t.Fatal(err)
	}
	const id = "test.warden.asker"
	ask := func(answer host.ConsentAnswer, perm string) string {
		t.Helper()
		st, err := w.Plugins().Status(id)
		if err != nil {
			t.Fatal(err)
		}
		p, err := w.Host().Load(ctx, w.Plugins().Dir(st.Plugin), host.LoadOptions{Grants: st.Grants, Denied: st.DeniedNames()})
		if err != nil {
			t.Fatal(err)
		}
		l, key, err := p.Launch()
		if err != nil {
			t.Fatal(err)
		}
		l.SetDesktop(yesDesktop{answer: answer})
		env, err := isolation.Seal(key, id, l.ID(), isolation.Request{Seq: 1, ID: 1, Cmd: "permissions.request", Args: []byte(`{"permissions":["` + perm + `"]}`)})
		if err != nil {
			t.Fatal(err)
		}
		r := w.Host().Invoke(ctx, l, env)
		if !r.OK {
			t.Fatalf("permissions.request %s: %+v", perm, r.Error)
		}
		return string(r.Result)
	}
	if got := ask(host.ConsentAllowed, "clipboard.read"); got != `{"granted":true}` {
		t.Fatalf("allowed: %s", got)
	}
	if got := ask(host.ConsentDenied, "dialog"); got != `{"granted":false}` {
		t.Fatalf("denied: %s", got)
	}
	rec, err := w.Store().Get(id)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rec.Grants["clipboard.read"]; !ok || rec.Denied["dialog"].IsZero() {
		t.Fatalf("record: grants %v, denied %v", rec.Grants, rec.Denied)
	}
	// Loaded again from the record, the plugin's "no" stands even if the
	// user would now say yes: nobody is asked.
	if got := ask(host.ConsentAllowed, "dialog"); got != `{"granted":false}` {
		t.Fatalf("after a remembered no: %s", got)
	}
}
