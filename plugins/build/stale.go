package build

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// newerThan reports whether built is newer than every file in srcs.
func newerThan(built time.Time, srcs []string) (bool, error) {
	for _, f := range srcs {
		info, err := os.Stat(f)
		if err != nil {
			return false, err
		}
		if !built.After(info.ModTime()) {
			return false, nil
		}
	}
	return true, nil
}

// filesUnder lists the regular files under dir whose names end in ext (any
// file when ext is ""), skipping node_modules and dot directories; a
// missing dir has none.
func filesUnder(dir, ext string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == dir {
				return fs.SkipAll
			}
			return err
		}
		if d.IsDir() {
			if p != dir && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) {
				return fs.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() && strings.HasSuffix(d.Name(), ext) {
			files = append(files, p)
		}
		return nil
	})
	return files, err
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// rel names p relative to root for messages.
func rel(root, p string) string {
	if r, err := filepath.Rel(root, p); err == nil {
		return filepath.ToSlash(r)
	}
	return p
}
