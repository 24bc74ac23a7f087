package build

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/manifest"
)

func TestTypes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	m := &manifest.Manifest{ID: "com.example.t", UI: &manifest.UI{Entry: "web/index.html"}, Commands: []string{"greet", "count"}}
	if err := os.Mkdir(filepath.Join(dir, "web"), 0o755); err != nil {
		t.Fatal(err)
	}
	rel, changed, err := Types(dir, m)
	if err != nil || rel != "web/warden-backend.d.ts" || !changed {
		t.Fatalf("Types = %q, %v, %v", rel, changed, err)
	}
	p := filepath.Join(dir, "web", TypesFile)
	b, err := os.ReadFile(p)
	if err != nil || !strings.Contains(string(b), `"backend.greet"`) || !strings.Contains(string(b), `"backend.count"`) {
		t.Fatalf("%s: %s %v", p, b, err)
	}
	old := time.Now().Add(-time.Hour)
	os.Chtimes(p, old, old)
	if _, changed, err := Types(dir, m); err != nil || changed {
		t.Fatalf("unchanged commands rewrote the file: %v %v", changed, err)
	}
	if info, _ := os.Stat(p); !info.ModTime().Equal(old) {
		t.Error("the file was touched")
	}
	m.Commands = []string{"greet"}
	if _, changed, err := Types(dir, m); err != nil || !changed {
		t.Fatalf("changed commands: %v %v", changed, err)
	}
	if b, _ := os.ReadFile(p); strings.Contains(string(b), "backend.count") {
		t.Error("a removed command is still declared")
	}
	if rel, _, err := Types(dir, &manifest.Manifest{ID: "a.b"}); rel != "" || err != nil {
		t.Errorf("no UI: %q %v", rel, err)
	}
}
