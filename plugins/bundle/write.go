package bundle

import (
	"archive/zip"
	"io"
	"os"
	"time"

	"github.com/wardenhq/warden/internal/atomicfile"
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

// writeAtomic replaces dst (mode 0644) atomically and durably: fill writes
// the content to a temporary file in the same directory, then check
// (given the file and its size) may still refuse it before it is renamed
// into place. On any error dst is left as it was.
func writeAtomic(dst string, fill func(w io.Writer) error, check func(r io.ReaderAt, size int64) error) error {
	return atomicfile.Write(dst, 0o644, func(f *os.File) error {
		if err := fill(f); err != nil {
			return err
		}
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		return check(f, fi.Size())
	})
}
