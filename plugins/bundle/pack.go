package bundle

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/wardenhq/warden/manifest"
	"github.com/wardenhq/warden/plugins/build"
	"github.com/wardenhq/warden/plugins/signing"
)

// PackOptions adjust [Pack].
type PackOptions struct {
	// Key, when set, signs the bundle in the same step.
	Key *signing.SecretKey
	// TrustedComment is the signature's trusted comment; empty means
	// "id:<id>\tversion:<version>".
	TrustedComment string
	// Limits are checked on the result, as [Read] will; zero fields mean
	// DefaultLimits.
	Limits Limits
}

// Pack writes the plugin in srcDir as a bundle at out. It loads and
// validates manifest.json, builds the Go backend when its sources are newer
// than the .wasm (see build.Backend), and requires ui.entry and
// backend.wasm (and every icon) to be regular files inside srcDir. The
// bundle holds manifest.json (re-encoded without dev_scopes when it has
// them: those are for `warden dev` only), every file under the directory
// of ui.entry (which must be a subdirectory such as ui/; names starting
// with "." are left out, and symlinks or special files are refused), the
// backend .wasm and the icons. The zip is
// deterministic: entries sorted by name, fixed times and modes, deflate.
// Pack reads the result back with [Read] (and verifies the signature when
// signing) before renaming it into place atomically, so out is either the
// old file or a complete, valid bundle. It creates out's directory, and
// its parents, when they are missing (mode 0755), as build tools do; an
// error writing the bundle names out. Cost: each source file is read
// twice, the result once more.
func Pack(ctx context.Context, srcDir, out string, opts PackOptions) error {
	m, err := manifest.Load(srcDir)
	if err != nil {
		return fmt.Errorf("pack %s: %w", srcDir, err)
	}
	if m.Backend != nil {
		if _, err := build.Backend(ctx, srcDir, m.Backend); err != nil {
			return fmt.Errorf("pack %s: %w", srcDir, err)
		}
	}
	if err := m.CheckFiles(srcDir); err != nil {
		return fmt.Errorf("pack %s: %w", srcDir, err)
	}
	lim := opts.Limits.withDefaults()
	files, err := collect(srcDir, m)
	if err != nil {
		return fmt.Errorf("pack %s: %w", srcDir, err)
	}
	if len(files)+2 > lim.MaxEntries {
		return fmt.Errorf("pack %s: %w: %d files, more than the %d a bundle may hold", srcDir, ErrTooManyEntries, len(files), lim.MaxEntries-2)
	}
	entries, err := hashFiles(ctx, files, lim)
	if err != nil {
		return fmt.Errorf("pack %s: %w", srcDir, err)
	}
	list := encodeList(entries)
	var sig []byte
	if opts.Key != nil {
		if sig, err = signing.Sign(opts.Key, list, trustedComment(opts.TrustedComment, m)); err != nil {
			return fmt.Errorf("pack %s: %w", srcDir, err)
		}
	}
	fill := func(w io.Writer) error {
		zw := zip.NewWriter(w)
		if err := writeEntries(ctx, zw, files, entries, list, sig); err != nil {
			return err
		}
		return zw.Close()
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return fmt.Errorf("pack %s: output directory for %s: %w", srcDir, out, err)
	}
	if err := writeAtomic(out, fill, checkWritten(lim, opts.Key)); err != nil {
		return fmt.Errorf("pack %s: %w", srcDir, err)
	}
	return nil
}

// trustedComment is the signature's trusted comment: the one given or the
// plugin's id and version.
func trustedComment(given string, m *manifest.Manifest) string {
	if given != "" {
		return given
	}
	return "id:" + m.ID + "\tversion:" + m.Version
}

// checkWritten reads a bundle just written back with [Read], and verifies
// its signature when it was signed with key.
func checkWritten(lim Limits, key *signing.SecretKey) func(io.ReaderAt, int64) error {
	return func(r io.ReaderAt, size int64) error {
		b, err := Read(r, size, lim)
		if err != nil {
			return fmt.Errorf("the bundle would be rejected: %w", err)
		}
		if key != nil {
			if _, err := b.Verify([]signing.PublicKey{key.Public()}); err != nil {
				return err
			}
		}
		return nil
	}
}

// srcFile is a file to pack: its name in the bundle and its path on disk,
// or its content when Pack made it (the manifest without dev_scopes).
type srcFile struct {
	name, path string
	data       []byte
}

// copyTo copies the file's content to w, refusing more than max bytes,
// and returns its size.
func (f srcFile) copyTo(w io.Writer, max int64) (int64, error) {
	if f.data == nil {
		return copyFile(w, f.path, max)
	}
	if int64(len(f.data)) > max {
		return 0, errOverLimit
	}
	n, err := w.Write(f.data)
	return int64(n), err
}

// packedManifest is the manifest entry: the file as it is, or, when it
// has dev_scopes, the manifest without them, encoded deterministically
// (a bundle never carries dev scopes; see [ErrDevScopes]).
func packedManifest(srcDir string, m *manifest.Manifest) (srcFile, error) {
	f := srcFile{name: manifest.FileName, path: filepath.Join(srcDir, manifest.FileName)}
	if m.DevScopes == nil {
		return f, nil
	}
	data, err := m.WithoutDevScopes().Encode()
	if err != nil {
		return srcFile{}, err
	}
	f.data = data
	return f, nil
}

// collect lists the files to pack, sorted by bundle name.
func collect(srcDir string, m *manifest.Manifest) ([]srcFile, error) {
	mf, err := packedManifest(srcDir, m)
	if err != nil {
		return nil, err
	}
	files := []srcFile{mf}
	if m.UI != nil {
		uiDir := path.Dir(m.UI.Entry)
		if uiDir == "." {
			return nil, fmt.Errorf("ui.entry %q is at the plugin root; put the UI in a directory (such as ui/index.html) so that pack knows which files belong to it", m.UI.Entry)
		}
		root := filepath.Join(srcDir, filepath.FromSlash(uiDir))
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if p != root && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			switch {
			case d.Type()&fs.ModeSymlink != 0:
				return fmt.Errorf("%s is a symlink: bundles hold regular files only; copy the file instead", p)
			case d.IsDir():
				return nil
			case !d.Type().IsRegular():
				return fmt.Errorf("%s is not a regular file", p)
			}
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			files = append(files, srcFile{name: uiDir + "/" + filepath.ToSlash(rel), path: p})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("collect UI files: %w", err)
		}
	}
	named := map[string]string{} // bundle name -> manifest field
	if m.Backend != nil {
		named[m.Backend.Wasm] = "backend.wasm"
	}
	for size, icon := range m.Icons {
		named[icon] = "icons[\"" + size + "\"]"
	}
	for _, name := range slices.Sorted(maps.Keys(named)) {
		p := filepath.Join(srcDir, filepath.FromSlash(name))
		fi, err := os.Lstat(p)
		if err != nil {
			return nil, err
		}
		if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("%s %s is not a regular file (a symlink?); bundles hold regular files only", named[name], p)
		}
		files = append(files, srcFile{name: name, path: p})
	}
	slices.SortFunc(files, func(a, b srcFile) int { return strings.Compare(a.name, b.name) })
	files = slices.CompactFunc(files, func(a, b srcFile) bool { return a.name == b.name })
	for _, f := range files {
		if err := checkName(f.name); err != nil {
			return nil, fmt.Errorf("file %s: %w", f.path, err)
		}
		if strings.HasPrefix(foldKey(f.name), strings.ToLower(WardenDir)) {
			return nil, fmt.Errorf("file %s: %w: %s is reserved for Warden's own entries; rename the directory", f.path, ErrBadName, WardenDir)
		}
	}
	return files, nil
}

// hashFiles reads every file once for the entry list, within lim.
func hashFiles(ctx context.Context, files []srcFile, lim Limits) ([]Entry, error) {
	entries := make([]Entry, 0, len(files))
	var total int64
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		h := sha256.New()
		n, err := f.copyTo(h, lim.MaxTotalSize-total)
		if errors.Is(err, errOverLimit) {
			return nil, fmt.Errorf("%w: the files add up to more than the %d bytes a bundle may hold (at %s)", ErrTooLarge, lim.MaxTotalSize, f.path)
		}
		if err != nil {
			return nil, err
		}
		total += n
		e := Entry{Path: f.name, Size: n}
		h.Sum(e.SHA256[:0])
		entries = append(entries, e)
	}
	return entries, nil
}

// copyFile copies the regular file at p to w, refusing more than max
// bytes, and returns its size.
func copyFile(w io.Writer, p string, max int64) (int64, error) {
	f, err := os.Open(p)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		return 0, err
	} else if !fi.Mode().IsRegular() {
		return 0, fmt.Errorf("%s is not a regular file", p)
	}
	n, err := io.Copy(w, io.LimitReader(f, max+1))
	if err != nil {
		return n, err
	}
	if n > max {
		return n, errOverLimit
	}
	return n, nil
}

// errOverLimit is copyFile's report of a file longer than allowed.
var errOverLimit = errors.New("file longer than allowed")

// writeEntries writes the zip's entries in name order: Warden's own from
// list and sig (when signed), the files from disk, each checked against
// the entry made in the first pass.
func writeEntries(ctx context.Context, zw *zip.Writer, files []srcFile, entries []Entry, list, sig []byte) error {
	type item struct {
		name string
		data []byte // Warden's own entries
		file int    // index into files, or -1
	}
	items := []item{{ListName, list, -1}}
	if sig != nil {
		items = append(items, item{SignatureName, sig, -1})
	}
	for i, f := range files {
		items = append(items, item{f.name, nil, i})
	}
	slices.SortFunc(items, func(a, b item) int { return strings.Compare(a.name, b.name) })
	for _, it := range items {
		if err := ctx.Err(); err != nil {
			return err
		}
		w, err := createEntry(zw, it.name)
		if err != nil {
			return err
		}
		if it.file < 0 {
			if _, err := w.Write(it.data); err != nil {
				return err
			}
			continue
		}
		e := entries[it.file]
		h := sha256.New()
		n, err := files[it.file].copyTo(io.MultiWriter(w, h), e.Size)
		if err != nil && !errors.Is(err, errOverLimit) {
			return err
		}
		if err != nil || n != e.Size || !bytes.Equal(h.Sum(nil), e.SHA256[:]) {
			return fmt.Errorf("%s changed while packing; pack again", files[it.file].path)
		}
	}
	return nil
}
