package lint

import (
	"context"
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/wardenhq/warden/manifest"
	"github.com/wardenhq/warden/plugins/bundle"
)

// Lint checks the plugin at source, a plugin directory or a bundle file,
// and returns what it found, sorted by file and position. The error is
// for a source lint cannot read at all (it does not exist, or a bundle
// cannot be extracted); every problem with the plugin is a Finding. A
// bundle is read as install reads it (a bundle install would refuse gives
// one finding, RuleBundle or RuleSchema) and then extracted to a temporary
// directory. Cost: reads every file of the plugin once and parses the Go
// backend's sources; nothing is built or run.
func Lint(ctx context.Context, source string) ([]Finding, error) {
	dir, err := isDir(source)
	if err != nil {
		return nil, fmt.Errorf("lint %s: %w", source, err)
	}
	var fs findings
	if dir {
		err = lintDir(ctx, &fs, source, false)
	} else {
		err = lintBundle(ctx, &fs, source)
	}
	if err != nil {
		return nil, fmt.Errorf("lint %s: %w", source, err)
	}
	sortFindings(fs)
	return fs, nil
}

// lintBundle checks the bundle file at name.
func lintBundle(ctx context.Context, fs *findings, name string) error {
	b, err := bundle.Open(name, bundle.DefaultLimits)
	if err != nil {
		rule := RuleBundle
		if errors.Is(err, bundle.ErrManifest) {
			rule = RuleSchema
		}
		fs.add(Error, rule, "", 0, 0, "%v", err)
		return nil
	}
	defer b.Close()
	tmp, err := os.MkdirTemp("", "warden-lint-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := b.Extract(ctx, tmp); err != nil {
		return err
	}
	return lintDir(ctx, fs, tmp, true)
}

// lintDir checks the plugin in dir; fromBundle says it was extracted from
// a bundle, which carries no backend sources.
func lintDir(ctx context.Context, fs *findings, dir string, fromBundle bool) error {
	var mfs findings
	m, data := loadManifest(&mfs, dir)
	valid := len(mfs) == 0
	*fs = append(*fs, mfs...)
	if m == nil {
		return nil
	}
	loc := locator(data)
	if valid {
		checkManifestFiles(fs, m, dir, data, !fromBundle && hasBackendSources(dir, m.Backend))
	}
	checkHost(fs, m, loc)
	checkIcons(fs, m, loc)

	var u usage
	shipped := []string{manifest.FileName}
	if m.UI != nil && m.UI.Entry != "" {
		files, err := scanPage(ctx, fs, &u, dir, m.UI.Entry, loc)
		if err != nil {
			return err
		}
		shipped = append(shipped, files...)
	}
	if b := m.Backend; b != nil && b.Wasm != "" {
		shipped = append(shipped, b.Wasm)
		if err := scanBackend(ctx, fs, &u, dir, b, fromBundle, loc); err != nil {
			return err
		}
	}
	for _, icon := range m.Icons {
		shipped = append(shipped, icon)
	}
	checkUsage(fs, m, u, loc)
	if err := ctx.Err(); err != nil {
		return err
	}
	checkSizes(fs, sizes(dir, shipped))
	return nil
}

// scanPage scans the page's files, everything under the directory of
// entry as pack packs it, for warden.invoke and inline scripts, and
// returns their names.
func scanPage(ctx context.Context, fs *findings, u *usage, dir, entry string, loc func(string) (int, int)) ([]string, error) {
	uiDir := path.Dir(entry)
	var names []string
	if uiDir == "." {
		line, col := loc("ui.entry")
		fs.add(Error, RuleFiles, manifest.FileName, line, col, "ui.entry %q is at the plugin root; put the UI in a directory (such as ui/index.html) so that pack knows which files belong to it", entry)
		names = []string{entry}
	} else {
		root := filepath.Join(dir, filepath.FromSlash(uiDir))
		err := filepath.WalkDir(root, func(p string, d iofs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, os.ErrNotExist) {
					return nil // manifest.files says so
				}
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			rel = filepath.ToSlash(rel)
			switch {
			case p != root && strings.HasPrefix(d.Name(), "."):
				if d.IsDir() {
					return filepath.SkipDir
				}
			case d.Type()&os.ModeSymlink != 0:
				fs.add(Error, RuleFiles, rel, 0, 0, "the file is a symlink, and bundles hold regular files only; copy the file instead")
			case d.Type().IsRegular():
				names = append(names, rel)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	for _, name := range names {
		switch strings.ToLower(path.Ext(name)) {
		case ".js", ".mjs":
			src, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
			if err != nil {
				continue // manifest.files reports a missing entry
			}
			for _, inv := range ScanInvokes(src) {
				u.addPage(name, inv, 0, 0)
			}
		case ".html", ".htm":
			page, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
			if err != nil {
				continue
			}
			lines := lineStarts(page)
			for _, s := range scanHTML(page) {
				line, col := position(lines, s.offset)
				if s.handler != "" {
					fs.add(Warning, RuleCSPInline, name, line, col, "the %s attribute is inline script, which Warden's content security policy does not run; add the listener from a .js file with addEventListener", s.handler)
					continue
				}
				fs.add(Warning, RuleCSPInline, name, line, col, "inline <script> does not run under Warden's content security policy (script-src 'self'); move it to a .js file in the plugin and load it with <script src>")
				bl, bc := position(lines, s.bodyOffset)
				for _, inv := range ScanInvokes(s.body) {
					u.addPage(name, inv, bl, bc)
				}
			}
		}
	}
	return names, nil
}

// addPage records a page's invoke, found in a script that starts at line
// and column of its file (0, 0 for a whole .js file).
func (u *usage) addPage(file string, inv Invoke, line, col int) {
	if line > 0 {
		if inv.Line == 1 {
			inv.Column += col - 1
		}
		inv.Line += line - 1
	}
	if !inv.Literal {
		u.pageUnknown = true
	}
	u.uses = append(u.uses, use{command: inv.Command, literal: inv.Literal, file: file, line: inv.Line, column: inv.Column, caller: "page"})
}

// scanBackend records the Go backend's capability uses, or says that lint
// cannot tell them.
func scanBackend(ctx context.Context, fs *findings, u *usage, dir string, b *manifest.Backend, fromBundle bool, loc func(string) (int, int)) error {
	why := ""
	switch {
	case fromBundle:
		why = "a bundle carries only the compiled .wasm"
	case b.Toolchain != "" && b.Toolchain != manifest.ToolchainGo:
		why = "lint reads Go backends only, and this one is built with " + b.Toolchain
	default:
		uses, ok, err := scanGoBackend(ctx, dir, filepath.Join(dir, filepath.FromSlash(path.Dir(b.Wasm))))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		if ok {
			for _, us := range uses {
				if !us.literal {
					u.backendUnknown = true
				}
			}
			u.uses = append(u.uses, uses...)
			return nil
		}
		why = "there are no Go sources beside it"
	}
	u.backendUnknown = true
	line, col := loc("backend.wasm")
	hint := ""
	if fromBundle {
		hint = "; lint the plugin's source directory to check them"
	}
	fs.add(Warning, RuleBackendOpaque, manifest.FileName, line, col, "lint cannot tell which capabilities %s uses (%s), so it does not report the permissions a backend may use as unused%s", b.Wasm, why, hint)
	return nil
}

// sizes returns the size of each named file in dir that exists.
func sizes(dir string, names []string) []file {
	seen := map[string]bool{}
	var out []file
	for _, n := range names {
		if seen[n] {
			continue
		}
		seen[n] = true
		fi, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(n)))
		if err == nil && fi.Mode().IsRegular() {
			out = append(out, file{n, fi.Size()})
		}
	}
	return out
}

// hasBackendSources reports whether the backend's directory holds sources
// that `warden pack` or `warden build` compile: Go files, or any source
// when a toolchain is named.
func hasBackendSources(dir string, b *manifest.Backend) bool {
	if b == nil || b.Wasm == "" {
		return false
	}
	entries, err := os.ReadDir(filepath.Join(dir, filepath.FromSlash(path.Dir(b.Wasm))))
	if err != nil {
		return false
	}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) == ".wasm" {
			continue
		}
		if strings.HasSuffix(e.Name(), ".go") || (b.Toolchain != "" && b.Toolchain != manifest.ToolchainGo) {
			return true
		}
	}
	return false
}
