package js

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/wardenhq/warden/manifest"
)

// pluginsDir holds the test plugins the end-to-end tests launch.
var pluginsDir = filepath.Join("..", "..", "testdata", "plugins")

// inlineScript matches what the plugin CSP refuses: a script element with
// a body, an event-handler attribute or a javascript: URL.
var inlineScript = regexp.MustCompile(`(?is)<script\b[^>]*>\s*[^<\s]|\son[a-z]+\s*=|javascript:`)

// TestTestPlugins checks that each test plugin is a plugin Warden loads:
// a valid manifest with the expected id, an existing entry page without
// inline script, and JavaScript files that parse.
func TestTestPlugins(t *testing.T) {
	tests := []struct {
		dir     string
		id      string
		scripts []string
	}{
		{"hostile", "test.warden.hostile", []string{"ui/hostile.js"}},
		{"hookreject", "test.warden.hookreject", []string{"ui/hookreject.js", "isolation-hook.js"}},
		{"netprobe", "test.warden.netprobe", []string{"ui/netprobe.js"}},
		{"hookprobe", "test.warden.hookprobe", []string{"ui/hookprobe.js"}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			dir := filepath.Join(pluginsDir, tt.dir)
			m, err := manifest.Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			if m.ID != tt.id {
				t.Errorf("id %q, want %q", m.ID, tt.id)
			}
			if m.UI == nil {
				t.Fatal("no ui")
			}
			page, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(m.UI.Entry)))
			if err != nil {
				t.Fatal(err)
			}
			if loc := inlineScript.FindIndex(page); loc != nil {
				t.Errorf("%s has inline script the CSP would block: %q", m.UI.Entry, page[loc[0]:loc[1]])
			}
			if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
				t.Error(err)
			}
			for _, s := range tt.scripts {
				path := filepath.Join(dir, filepath.FromSlash(s))
				if _, err := os.ReadFile(path); err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				out, err := exec.CommandContext(ctx, nodePath(t), "--check", path).CombinedOutput()
				cancel()
				if err != nil {
					t.Errorf("%s does not parse: %v\n%s", s, err, out)
				}
			}
		})
	}
}
