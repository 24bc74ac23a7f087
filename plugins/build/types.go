package build

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"

	"github.com/wardenhq/warden/internal/atomicfile"
	"github.com/wardenhq/warden/manifest"
	"github.com/wardenhq/warden/sdk/js"
)

// TypesFile is the name of the declarations of a plugin's backend commands,
// written beside its UI entry.
const TypesFile = "warden-backend.d.ts"

// Types writes TypesFile into the directory of the plugin's UI entry
// (ui/warden-backend.d.ts for ui/index.html): the TypeScript declarations
// that let warden.invoke accept "backend.<name>" for the manifest's
// commands only. It returns the file's path relative to dir, with slashes,
// and whether it changed; a plugin without a UI gets none. The file is
// rewritten only when its content changes, so editors and watchers see no
// churn. Cost: one small read, and a write when the commands changed.
func Types(dir string, m *manifest.Manifest) (rel string, changed bool, err error) {
	if m.UI == nil {
		return "", false, nil
	}
	rel = path.Join(path.Dir(m.UI.Entry), TypesFile)
	p := filepath.Join(dir, filepath.FromSlash(rel))
	want := js.BackendTypes(m.ID, m.Commands)
	if have, err := os.ReadFile(p); err == nil && bytes.Equal(have, want) {
		return rel, false, nil
	}
	if err := atomicfile.WriteFile(p, want, 0o644); err != nil {
		return "", false, fmt.Errorf("write %s: %w", rel, err)
	}
	return rel, true, nil
}
