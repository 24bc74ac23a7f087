package warden

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/plugins/bundle"
	"github.com/wardenhq/warden/plugins/manager"
)

// clock is an application capability for the tests.
var clock = Capability{
	Command: "app.clock.now", Permission: "app.clock", Callers: host.FromPage,
	Description: "Read the time of this application's clock",
	Handle:      func(context.Context, *host.Call) ([]byte, error) { return []byte(`"12:00"`), nil },
}

// TestInstallShowsTheApplicationsConsentText: installing a plugin that
// asks for an application permission shows the user the application's
// words for it, and a plugin asking for one the application does not
// offer installs (it may be meant for another application) but never
// loads here.
func TestInstallShowsTheApplicationsConsentText(t *testing.T) {
	ctx := context.Background()
	w, err := Open(ctx, Config{Profile: t.TempDir(), Logger: slog.New(slog.DiscardHandler), Capabilities: []Capability{clock}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(ctx)
	out := filepath.Join(t.TempDir(), "clock.wbundle")
	if err := bundle.Pack(ctx, filepath.Join("examples", "embed", "plugin"), out, bundle.PackOptions{}); err != nil {
		t.Fatal(err)
	}
	var asked []manager.Permission
	_, err = w.Plugins().Install(ctx, out, manager.InstallOptions{AllowUnsigned: true, Consent: func(_ context.Context, req manager.ConsentRequest) error {
		asked = req.Permissions
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(asked) != 1 || asked[0].Name != "app.clock" || asked[0].Description != clock.Description {
		t.Fatalf("consent asked for %+v, want app.clock with the application's text", asked)
	}

	other, err := Open(ctx, Config{Profile: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	if _, err := other.LoadSource(ctx, filepath.Join("examples", "embed", "plugin"), nil); !errors.Is(err, host.ErrAppPermission) {
		t.Fatalf("an application without app.clock loaded the plugin: %v", err)
	}
}
