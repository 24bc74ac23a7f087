package bundle

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// packTime is every entry's modification time, so that packing the same
// files always gives the same bytes.
var packTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// createEntry starts a deflated regular-file entry with fixed metadata.
func createEntry(zw *zip.Writer, name string) (io.Writer, error) {
	h := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: packTime}
	h.SetMode(0o644)
	return zw.CreateHeader(h)
}

// writeAtomic writes dst through a temporary file in the same directory:
// fill writes the content, the file is fsynced, check (given the file and
// its size) may still refuse it, then it is renamed over dst (mode 0644)
// and the directory is fsynced. On any error dst is left as it was.
func writeAtomic(dst string, fill func(w io.Writer) error, check func(r io.ReaderAt, size int64) error) (err error) {
	dir := filepath.Dir(dst)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dst)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	if err := fill(tmp); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	fi, err := tmp.Stat()
	if err != nil {
		return err
	}
	if err := check(tmp, fi.Size()); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	return d.Sync()
}
