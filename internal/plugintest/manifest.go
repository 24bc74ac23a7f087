package plugintest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/wardenhq/warden/manifest"
)

// SetManifestField sets the top-level field name of the manifest of the
// plugin copy in dir to value (marshalled to JSON), for tests that point a
// copied example at their own servers: an example's "http" list names
// public hosts, and a test's server listens on 127.0.0.1 at a random port.
// The result must still be a valid manifest.
func SetManifestField(t testing.TB, dir, name string, value any) {
	t.Helper()
	path := filepath.Join(dir, manifest.FileName)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		t.Fatalf("set manifest field %s: %v", name, err)
	}
	if fields[name], err = json.Marshal(value); err != nil {
		t.Fatalf("set manifest field %s: %v", name, err)
	}
	if b, err = json.MarshalIndent(fields, "", "  "); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := manifest.Load(dir); err != nil {
		t.Fatal(fmt.Errorf("manifest after setting %s: %w", name, err))
	}
}
