package warden

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"path/filepath"
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
	call := func(req managerRequest) (any, error) {
		t.Helper()
		b, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		return w.manage(ctx, nil, b)
	}
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
