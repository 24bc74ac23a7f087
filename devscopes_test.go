package warden

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/isolation"
)

// TestDevScopesOnlyUnderDev: a manifest's dev_scopes reach their server
// when the plugin runs under warden dev (loadSource with dev), and nowhere
// else: not from warden open or call of the same directory.
func TestDevScopesOnlyUnderDev(t *testing.T) {
	ctx := context.Background()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte("dev data"))
	}))
	defer srv.Close()
	dir := t.TempDir()
	m := map[string]any{
		"manifest_version": 1, "id": "test.warden.devscopes", "name": "Dev scopes", "version": "1.0.0",
		"host": ">=0.1.0 <1.0.0", "ui": map[string]any{"entry": "ui/index.html"},
		"http": []string{"https://api.example.com/*"}, "dev_scopes": map[string]any{"http": []string{srv.URL + "/*"}},
	}
	b, _ := json.Marshal(m)
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "ui"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ui", "index.html"), []byte("<!doctype html>"), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := Open(ctx, Config{Profile: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(ctx)
	fetch := func(p *host.Plugin) host.Reply {
		t.Helper()
		l, key, err := p.Launch()
		if err != nil {
			t.Fatal(err)
		}
		env, err := isolation.Seal(key, p.ID(), l.ID(), isolation.Request{Seq: 1, ID: 1, Cmd: "http.fetch", Args: json.RawMessage(`{"url":"` + srv.URL + `/feed"}`)})
		if err != nil {
			t.Fatal(err)
		}
		return w.Host().Invoke(ctx, l, env)
	}

	p, err := w.LoadSource(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := fetch(p); r.OK || r.Error.Code != host.CodeOutOfScope {
		t.Fatalf("outside warden dev: %+v", r.Error)
	}
	if hits.Load() != 0 {
		t.Fatal("the dev server was reached outside warden dev")
	}
	mf, _ := loadManifest(dir, true)
	p, err = w.loadSource(ctx, dir, devGrants(mf), true)
	if err != nil {
		t.Fatal(err)
	}
	if r := fetch(p); !r.OK {
		t.Fatalf("under warden dev: %+v", r.Error)
	}
	if hits.Load() != 1 {
		t.Fatalf("the dev server saw %d requests, want 1", hits.Load())
	}
}
