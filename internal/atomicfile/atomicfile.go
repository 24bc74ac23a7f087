// Package atomicfile replaces files so that readers, and the file system
// after a crash, see either the old content or the new, never a mix, a
// truncated file or an empty one.
//
// Every write goes the same way: a temporary file named "."+base+".*.tmp"
// is created in the target's directory (so the rename cannot cross file
// systems), filled, given its permission bits, fsynced and closed, then
// renamed over the target (or, for [WriteNew], linked to it), and the
// directory is fsynced so that the rename itself survives a crash. On any
// error the temporary file is removed and the target is left as it was.
// A write costs two fsyncs: the file's and the directory's.
//
// The permission bits are set exactly, with chmod: the umask does not
// apply. A target that is a symlink is replaced by the new file, not
// written through. The functions are safe for concurrent use; concurrent
// writers of one path each replace it whole, and the last rename wins.
//
// Errors from the file system are *fs.PathError values that name the
// target path, never the temporary file, which the caller's user has never
// heard of and which no longer exists by then: creating it in a missing
// directory fails as "create <path>: no such file or directory". An error
// from a caller's fill or produce function is returned as it is, but for
// a *fs.PathError on the temporary file (a failed write to it), which is
// made to name the target too.
package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFile replaces the file at path with data, mode perm. It is the
// atomic, durable os.WriteFile: see the package documentation.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	return write(path, perm, writeData(data), true)
}

// WriteNew is WriteFile for a file that must not exist yet: the new file
// is linked into place instead of renamed, so that when path exists (even
// as a dangling symlink) nothing is replaced and the error wraps
// fs.ErrExist. Two writers racing for one path cannot both succeed.
func WriteNew(path string, data []byte, perm fs.FileMode) error {
	return write(path, perm, writeData(data), false)
}

// Write replaces the file at path with what fill writes to f, mode perm.
// fill may also read f back (f.ReadAt, f.Stat) to check what it wrote
// before it goes into place; it must not close f. When fill fails, its
// error is returned and path is left as it was.
func Write(path string, perm fs.FileMode, fill func(f *os.File) error) error {
	return write(path, perm, fill, true)
}

// Produce replaces the file at path with one that another program writes
// by name, such as a compiler's output: produce gets the temporary file's
// path (an empty file already exists there) and may write into it or
// replace it. What produce leaves there is then given mode perm, fsynced
// and renamed into place as by Write.
func Produce(path string, perm fs.FileMode, produce func(tmp string) error) (err error) {
	tmp, err := createTemp(path)
	if err != nil {
		return err
	}
	name := tmp.Name()
	defer func() {
		if err != nil {
			os.Remove(name)
		}
	}()
	if err := tmp.Close(); err != nil {
		return named(err, name, path)
	}
	if err := produce(name); err != nil {
		return err
	}
	f, err := os.Open(name)
	if err != nil {
		return named(err, name, path)
	}
	return named(finish(f, path, perm, true), name, path)
}

// SyncDir fsyncs the directory dir, making the renames, links and
// creations already done inside it durable. It is for callers that rename
// something themselves, such as a whole directory; it costs one fsync.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// Rename renames oldpath to newpath and fsyncs newpath's directory, and
// oldpath's when it is another, so that the rename survives a crash. It
// costs one or two fsyncs. It is for moving into place a file already
// written durably under another name, as a multi-file publish does.
func Rename(oldpath, newpath string) error {
	if err := os.Rename(oldpath, newpath); err != nil {
		return err
	}
	oldDir, newDir := filepath.Dir(oldpath), filepath.Dir(newpath)
	if err := SyncDir(newDir); err != nil {
		return err
	}
	if oldDir != newDir {
		return SyncDir(oldDir)
	}
	return nil
}

// writeData returns a fill function that writes data.
func writeData(data []byte) func(*os.File) error {
	return func(f *os.File) error {
		_, err := f.Write(data)
		return err
	}
}

// write creates the temporary file, fills it and finishes it.
func write(path string, perm fs.FileMode, fill func(*os.File) error, replace bool) (err error) {
	f, err := createTemp(path)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close() // may already be closed; the error does not matter
			os.Remove(f.Name())
		}
	}()
	if err := fill(f); err != nil {
		return named(err, f.Name(), path)
	}
	return named(finish(f, path, perm, replace), f.Name(), path)
}

// createTemp creates the temporary file for path, in path's directory. Its
// error names path: the temporary name is a pattern nobody asked for.
func createTemp(path string) (*os.File, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return nil, &fs.PathError{Op: "create", Path: path, Err: pe.Err}
	}
	return f, err
}

// named returns err with the temporary file tmp's name replaced by path,
// the file the caller asked for, when err is the *fs.PathError of a call
// on tmp (writing, syncing or closing it) or the *os.LinkError of moving
// it into place.
func named(err error, tmp, path string) error {
	switch e := err.(type) {
	case *fs.PathError:
		if e.Path == tmp {
			return &fs.PathError{Op: e.Op, Path: path, Err: e.Err}
		}
	case *os.LinkError:
		if e.Old == tmp {
			return &fs.PathError{Op: e.Op, Path: path, Err: e.Err}
		}
	}
	return err
}

// finish sets f's mode, fsyncs and closes it, moves it to path (renaming
// over it, or linking when replace is false) and fsyncs the directory.
// It closes f; the caller removes f on error.
func finish(f *os.File, path string, perm fs.FileMode, replace bool) error {
	err := f.Chmod(perm)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if replace {
		err = os.Rename(f.Name(), path)
	} else if err = os.Link(f.Name(), path); err == nil {
		// The link is the file now; a temporary name left behind by a
		// failed remove is only clutter.
		os.Remove(f.Name())
	}
	if err != nil {
		return err
	}
	return SyncDir(filepath.Dir(path))
}
