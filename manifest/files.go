package manifest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// CheckFiles verifies that ui.entry, backend.wasm and every icon name
// regular files inside dir, and that each icon is a PNG of its declared
// size (see [CheckPNG]): the paths must be relative, clean, forward-slash, without
// "..", a leading "/", backslashes or NUL, at most 255 bytes, and after
// resolving symlinks they must still be inside dir. Problems are
// *FieldErrors (joined when there are several).
func (m *Manifest) CheckFiles(dir string) error {
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return fmt.Errorf("check files: %w", err)
	}
	if root, err = filepath.Abs(root); err != nil {
		return fmt.Errorf("check files: %w", err)
	}
	var p problems
	if m.UI != nil {
		checkFile(&p, root, "ui.entry", m.UI.Entry)
	}
	if m.Backend != nil {
		checkFile(&p, root, "backend.wasm", m.Backend.Wasm)
	}
	m.checkIconFiles(&p, root)
	switch len(p) {
	case 0:
		return nil
	case 1:
		return p[0]
	}
	return errors.Join(p...)
}

func checkFile(p *problems, root, field, rel string) {
	if msg := checkRelPath(rel); msg != "" {
		p.add(field, "%s", msg)
		return
	}
	real, err := filepath.EvalSymlinks(filepath.Join(root, filepath.FromSlash(rel)))
	if errors.Is(err, fs.ErrNotExist) {
		p.add(field, "file %q does not exist in the bundle", rel)
		return
	}
	if err != nil {
		p.add(field, "cannot resolve %q: %v", rel, err)
		return
	}
	if r, err := filepath.Rel(root, real); err != nil || !filepath.IsLocal(r) {
		p.add(field, "%q resolves to %s, outside the bundle", rel, real)
		return
	}
	fi, err := os.Stat(real)
	if err != nil {
		p.add(field, "cannot stat %q: %v", rel, err)
		return
	}
	if !fi.Mode().IsRegular() {
		p.add(field, "%q must be a regular file, not %s", rel, fi.Mode().Type())
	}
}
