package warden

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardenhq/warden/plugins/bundle"
	"github.com/wardenhq/warden/plugins/manager"
)

// TestManagerInstallsOnlyWhatWasShown: the manager's install goes ahead
// only for the plugin, version, signer and permissions its dialog showed
// (preview); anything else is refused with nothing installed, and the
// preview itself installs nothing.
func TestManagerInstallsOnlyWhatWasShown(t *testing.T) {
	ctx := context.Background()
	w, err := Open(ctx, Config{Profile: t.TempDir(), Logger: slog.New(slog.DiscardHandler), Capabilities: []Capability{clock}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(ctx)
	path := filepath.Join(t.TempDir(), "clock.wbundle")
	if err := bundle.Pack(ctx, filepath.Join("examples", "embed", "plugin"), path, bundle.PackOptions{}); err != nil {
		t.Fatal(err)
	}
	call := manageCall(t, w)
	v, err := call(managerRequest{Op: "preview", Path: path})
	if err != nil {
		t.Fatal(err)
	}
	shown := v.(*installPreview)
	if len(shown.Asks) != 1 || shown.Asks[0].Name != "app.clock" || shown.Asks[0].Description != clock.Description {
		t.Fatalf("preview: %+v", shown)
	}
	if list, _ := w.Plugins().List(); len(list) != 0 {
		t.Fatalf("the preview installed %v", list)
	}
	ok := managerRequest{Op: "install", Path: path, ID: shown.ID, Version: shown.Version, Signer: shown.Signer, Perms: []string{"app.clock"}}
	for name, req := range map[string]managerRequest{
		"fewer permissions": func() managerRequest { r := ok; r.Perms = nil; return r }(),
		"another version":   func() managerRequest { r := ok; r.Version = "9.9.9"; return r }(),
		"another signer":    func() managerRequest { r := ok; r.Signer = "signed by someone"; return r }(),
		"another plugin":    func() managerRequest { r := ok; r.ID = "com.example.other"; return r }(),
	} {
		if _, err := call(req); !errors.Is(err, manager.ErrConsentRefused) {
			t.Errorf("%s: %v, want ErrConsentRefused", name, err)
		}
	}
	if list, _ := w.Plugins().List(); len(list) != 0 {
		t.Fatalf("a refused install left %v", list)
	}
	if _, err := call(ok); err != nil {
		t.Fatal(err)
	}
	if st, err := w.Plugins().Status(shown.ID); err != nil || st.Grants["app.clock"].GrantedAt.IsZero() {
		t.Fatalf("installed: %+v %v", st.Grants, err)
	}
}

// TestManagerUpdatesOnlyAsShown: a newer bundle of an installed plugin is
// previewed as an update (what it adds, nothing applied), and applied only
// as shown, with what it adds granted; a preview that no longer matches
// changes nothing.
func TestManagerUpdatesOnlyAsShown(t *testing.T) {
	ctx := context.Background()
	w, err := Open(ctx, Config{Profile: t.TempDir(), Logger: slog.New(slog.DiscardHandler), Capabilities: []Capability{clock}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(ctx)
	call := manageCall(t, w)
	src := filepath.Join("examples", "embed", "plugin")
	v1 := filepath.Join(t.TempDir(), "clock-1.wbundle")
	if err := bundle.Pack(ctx, src, v1, bundle.PackOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Plugins().Install(ctx, v1, manager.InstallOptions{AllowUnsigned: true, Consent: func(context.Context, manager.ConsentRequest) error { return nil }}); err != nil {
		t.Fatal(err)
	}
	// 1.1.0 also asks for storage.
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	mf := filepath.Join(dir, "manifest.json")
	b, err := os.ReadFile(mf)
	if err != nil {
		t.Fatal(err)
	}
	m := strings.Replace(string(b), `"version": "1.0.0"`, `"version": "1.1.0"`, 1)
	m = strings.Replace(m, `"permissions": ["app.clock"]`, `"permissions": ["app.clock", "storage"], "reasons": {"storage": "To remember the format"}`, 1)
	if err := os.WriteFile(mf, []byte(m), 0o644); err != nil {
		t.Fatal(err)
	}
	v2 := filepath.Join(t.TempDir(), "clock-2.wbundle")
	if err := bundle.Pack(ctx, dir, v2, bundle.PackOptions{}); err != nil {
		t.Fatal(err)
	}

	got, err := call(managerRequest{Op: "preview", Path: v2})
	if err != nil {
		t.Fatal(err)
	}
	shown := got.(*installPreview)
	if shown.Update != "1.0.0" || shown.Version != "1.1.0" || len(shown.Asks) != 1 || shown.Asks[0].Name != "storage" || shown.Asks[0].Reason != "To remember the format" {
		t.Fatalf("preview of the update: %+v", shown)
	}
	if st, _ := w.Plugins().Status("dev.warden.clock"); st.Version != "1.0.0" {
		t.Fatalf("the preview applied the update: %s", st.Version)
	}
	ok := managerRequest{Op: "install", Path: v2, ID: shown.ID, Version: shown.Version, Signer: shown.Signer, Perms: []string{"storage"}}
	stale := ok
	stale.Perms = nil
	if _, err := call(stale); !errors.Is(err, manager.ErrConsentRefused) {
		t.Fatalf("an update applied as not shown: %v, want ErrConsentRefused", err)
	}
	if st, _ := w.Plugins().Status("dev.warden.clock"); st.Version != "1.0.0" {
		t.Fatalf("a refused update changed the plugin to %s", st.Version)
	}
	if _, err := call(ok); err != nil {
		t.Fatal(err)
	}
	st, err := w.Plugins().Status("dev.warden.clock")
	if err != nil || st.Version != "1.1.0" || st.State != "enabled" || st.Grants["storage"].GrantedAt.IsZero() {
		t.Fatalf("after the update: %s %s %+v %v", st.Version, st.State, st.Grants, err)
	}
}

// manageCall returns a function that sends req to w as the manager's page
// would.
func manageCall(t *testing.T, w *Warden) func(req managerRequest) (any, error) {
	return func(req managerRequest) (any, error) {
		t.Helper()
		b, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		return w.manage(t.Context(), nil, b)
	}
}
