package bundle

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
)

// Extract writes the bundle's files into dir, which must exist and be
// empty: every listed entry, and WARDEN/entries and (when signed)
// WARDEN/entries.minisig so that the installed copy can be verified again
// later, also with minisign. Directories are created 0755 and files 0644,
// with exclusive creation inside an os.Root, so nothing is written through
// a symlink or outside dir. Each entry is hashed again while it is written
// (the file may have changed since [Read]) and fsynced, then every
// directory is fsynced. On error Extract removes what it wrote and ctx
// ends it between entries and between 1 MiB chunks.
func (b *Bundle) Extract(ctx context.Context, dir string) (err error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("extract bundle: %w", err)
	}
	defer root.Close()
	if err := checkEmpty(root, dir); err != nil {
		return err
	}
	x := &extractor{ctx: ctx, root: root, dirs: map[string]bool{".": true}}
	defer func() {
		if err != nil {
			x.cleanup()
			err = fmt.Errorf("extract %s %s into %s: %w", b.m.ID, b.m.Version, dir, err)
		}
	}()
	for _, e := range b.entries {
		if err := x.file(e.Path, func(w io.Writer) error { return copyEntry(w, b.files[e.Path], e) }); err != nil {
			return err
		}
	}
	own := []struct {
		name string
		data []byte
	}{{ListName, b.list}, {SignatureName, b.sig}}
	for _, o := range own {
		if o.data == nil {
			continue
		}
		if err := x.file(o.name, func(w io.Writer) error { _, err := w.Write(o.data); return err }); err != nil {
			return err
		}
	}
	return x.syncDirs()
}

// checkEmpty requires the extraction directory to be empty.
func checkEmpty(root *os.Root, dir string) error {
	d, err := root.Open(".")
	if err != nil {
		return fmt.Errorf("extract bundle: %w", err)
	}
	defer d.Close()
	names, err := d.Readdirnames(1)
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("extract bundle: %w", err)
	}
	if len(names) > 0 {
		return fmt.Errorf("extract bundle: %w: %s holds %q; extract into a new empty directory", ErrNotEmpty, dir, names[0])
	}
	return nil
}

// extractor writes files under root and remembers what it created.
type extractor struct {
	ctx     context.Context
	root    *os.Root
	dirs    map[string]bool // directories created, "." for the root
	created []string        // top-level names created, for cleanup
}

// file creates name exclusively and fills it with write.
func (x *extractor) file(name string, write func(io.Writer) error) error {
	if err := x.ctx.Err(); err != nil {
		return err
	}
	if err := x.mkdirs(path.Dir(name)); err != nil {
		return err
	}
	x.noteTop(name)
	f, err := x.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := write(&ctxWriter{ctx: x.ctx, w: f}); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return f.Close()
}

// mkdirs creates dir and its parents, 0755, refusing to reuse anything
// that is not a directory it made.
func (x *extractor) mkdirs(dir string) error {
	if x.dirs[dir] {
		return nil
	}
	if err := x.mkdirs(path.Dir(dir)); err != nil {
		return err
	}
	x.noteTop(dir)
	if err := x.root.Mkdir(dir, 0o755); err != nil {
		return err
	}
	if err := x.root.Chmod(dir, 0o755); err != nil {
		return err
	}
	x.dirs[dir] = true
	return nil
}

// noteTop records the top-level element of name for cleanup.
func (x *extractor) noteTop(name string) {
	top := name
	for d := path.Dir(top); d != "."; d = path.Dir(top) {
		top = d
	}
	if !slices.Contains(x.created, top) {
		x.created = append(x.created, top)
	}
}

// syncDirs fsyncs every directory created and the root, deepest first, so
// that the new names are durable.
func (x *extractor) syncDirs() error {
	dirs := make([]string, 0, len(x.dirs))
	for d := range x.dirs {
		dirs = append(dirs, d)
	}
	slices.SortFunc(dirs, func(a, b string) int { return len(b) - len(a) })
	for _, d := range dirs {
		f, err := x.root.Open(d)
		if err != nil {
			return err
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// cleanup removes what the extractor created, best effort.
func (x *extractor) cleanup() {
	for _, name := range x.created {
		x.root.RemoveAll(name)
	}
}

// ctxWriter stops a long copy when its context ends.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

// chunk bounds each write so that cancellation is noticed within 1 MiB.
const chunk = 1 << 20

func (c *ctxWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		if err := c.ctx.Err(); err != nil {
			return n, err
		}
		k, err := c.w.Write(p[:min(len(p), chunk)])
		n += k
		if err != nil {
			return n, err
		}
		p = p[k:]
	}
	return n, nil
}
