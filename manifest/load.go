package manifest

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ErrNotRegular means the manifest is a symlink, directory or other
// non-regular file.
var ErrNotRegular = errors.New("manifest is not a regular file")

// Load reads dir/manifest.json and parses it with [Parse]. It refuses a
// manifest that is a symlink or not a regular file, and one larger than
// MaxSize (reading at most MaxSize+1 bytes).
func Load(dir string) (*Manifest, error) {
	name := filepath.Join(dir, FileName)
	fi, err := os.Lstat(name)
	if err != nil {
		return nil, fmt.Errorf("load manifest: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("load manifest %s: %w (mode %s)", name, ErrNotRegular, fi.Mode().Type())
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("load manifest: %w", err)
	}
	defer f.Close()
	// The file checked above must be the one opened: a swap for a symlink
	// in between is refused.
	ofi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("load manifest: %w", err)
	}
	if !os.SameFile(fi, ofi) {
		return nil, fmt.Errorf("load manifest %s: %w (changed while opening)", name, ErrNotRegular)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("load manifest: %w", err)
	}
	if len(data) > MaxSize {
		return nil, &FieldError{Msg: fmt.Sprintf("file is larger than the %d bytes allowed", MaxSize)}
	}
	return Parse(data)
}
