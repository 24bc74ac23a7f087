package manager

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardenhq/warden/internal/plugintest"
	"github.com/wardenhq/warden/plugins/bundle"
)

// TestConsentCarriesAuthorReasons: the consent request and the status
// carry the author's reasons exactly as the manifest gives them, each with
// the permission or scope it is about.
func TestConsentCarriesAuthorReasons(t *testing.T) {
	t.Parallel()
	m, _, _ := openManager(t, nil)
	dir := t.TempDir()
	src := filepath.Join(dir, "hello")
	if err := plugintest.CopyTiny("hello", src); err != nil {
		t.Fatal(err)
	}
	mf := filepath.Join(src, "manifest.json")
	b, err := os.ReadFile(mf)
	if err != nil {
		t.Fatal(err)
	}
	const storage = `Keeps "your" greetings — and counts them.`
	const feed = "Fetches a greeting of the day."
	edited := strings.Replace(string(b), `"permissions": ["storage"]`, `"permissions": ["storage"],
  "http": ["https://greetings.example.com/*", "https://other.example.com/*"],
  "reasons": {"storage": "Keeps \"your\" greetings — and counts them.", "https://greetings.example.com/*": "`+feed+`"}`, 1)
	if err := os.WriteFile(mf, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "hello.wbundle")
	if err := bundle.Pack(t.Context(), src, out, bundle.PackOptions{}); err != nil {
		t.Fatal(err)
	}
	var req ConsentRequest
	_, err = m.Install(t.Context(), out, InstallOptions{AllowUnsigned: true, Consent: func(_ context.Context, r ConsentRequest) error {
		req = r
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Permission{}
	for _, p := range req.Permissions {
		byName[p.Name] = p
	}
	if p := byName["storage"]; p.Reason != storage || p.Description == "" {
		t.Errorf("storage at consent = %+v, want the reason %q", p, storage)
	}
	http := byName["http"]
	if http.Reason != "" || len(http.ScopeReasons) != 1 || http.ScopeReasons["https://greetings.example.com/*"] != feed {
		t.Errorf("http at consent = %+v, want one scope reason %q", http, feed)
	}
	st, err := m.Status("dev.warden.hello")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range st.Asks {
		if p.Name == "storage" {
			found = p.Reason == storage
		}
	}
	if !found {
		t.Errorf("Status.Asks = %+v, want storage with the author's reason", st.Asks)
	}
}
