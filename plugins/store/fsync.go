package store

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// syncTree fsyncs every file and directory under root, so that the tree is
// complete on disk before a rename makes it visible (a rename does not
// order the data of the files inside). It refuses symlinks and special
// files with ErrBadTree. It costs one fsync per entry.
func syncTree(root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() && !d.IsDir() {
			rel, _ := filepath.Rel(root, path)
			return fmt.Errorf("%s: %w", rel, ErrBadTree)
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		err = f.Sync()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	})
}
