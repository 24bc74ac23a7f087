package permissions

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// maxLinkHops bounds symlink chains, as the kernel's ELOOP limit does.
const maxLinkHops = 255

// ResolvePath turns a path a plugin asked for ("$DATA/notes/a.md" or an
// absolute path) into the real absolute path that will be opened: it
// expands a leading scope variable from env, requires an absolute result,
// cleans it and resolves symlinks. When the leaf or trailing components do
// not exist yet (a file about to be written), the deepest existing ancestor
// is resolved and the remaining components are appended; a dangling symlink
// on the way is followed to where it points, because that is where a write
// would land. Relative paths, unknown variables, variables missing from env,
// NUL bytes and symlink loops are errors wrapping [ErrBadPath].
//
// It costs one filepath.EvalSymlinks (an lstat per component) and, for
// paths that do not exist, one more lstat per component.
func ResolvePath(env Env, raw string) (string, error) {
	if raw == "" {
		return "", fmt.Errorf("resolve path: %w: empty", ErrBadPath)
	}
	if strings.IndexByte(raw, 0) >= 0 {
		return "", fmt.Errorf("resolve path: %w: NUL byte", ErrBadPath)
	}
	p := raw
	if raw[0] == '$' {
		vr, rest, _ := strings.Cut(raw, "/")
		if !validVar(vr) {
			return "", fmt.Errorf("resolve path %q: %w: unknown variable %q", raw, ErrBadPath, vr)
		}
		dir, ok := env[vr]
		if !ok || dir == "" {
			return "", fmt.Errorf("resolve path %q: %w: %s is not set", raw, ErrBadPath, vr)
		}
		p = dir + "/" + rest
	}
	if !filepath.IsAbs(p) {
		return "", fmt.Errorf("resolve path %q: %w: not absolute", raw, ErrBadPath)
	}
	r, err := resolveClean(filepath.Clean(p))
	if err != nil {
		return "", fmt.Errorf("resolve path %q: %w", raw, err)
	}
	return r, nil
}

// resolveClean resolves symlinks in the clean absolute path p, tolerating
// components that do not exist.
func resolveClean(p string) (string, error) {
	r, err := filepath.EvalSymlinks(p)
	if err == nil {
		return r, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%w: %w", ErrBadPath, err)
	}
	return walkSymlinks(p)
}

// walkSymlinks resolves p component by component like the kernel does,
// carrying on lexically once a component does not exist.
func walkSymlinks(p string) (string, error) {
	vol := filepath.VolumeName(p)
	resolved := vol + string(filepath.Separator)
	todo := p[len(vol):]
	hops := 0
	missing := false
	for todo != "" {
		var c string
		c, todo, _ = strings.Cut(strings.TrimLeft(todo, string(filepath.Separator)), string(filepath.Separator))
		switch c {
		case "", ".":
			continue
		case "..":
			// resolved holds no symlinks, so its lexical parent is the real one.
			resolved = filepath.Dir(resolved)
			continue
		}
		next := filepath.Join(resolved, c)
		if missing {
			resolved = next
			continue
		}
		fi, err := os.Lstat(next)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			missing = true
			resolved = next
			continue
		case err != nil:
			return "", fmt.Errorf("%w: %w", ErrBadPath, err)
		case fi.Mode()&fs.ModeSymlink == 0:
			resolved = next
			continue
		}
		hops++
		if hops > maxLinkHops {
			return "", fmt.Errorf("%w: too many levels of symbolic links", ErrBadPath)
		}
		target, err := os.Readlink(next)
		if err != nil {
			return "", fmt.Errorf("%w: %w", ErrBadPath, err)
		}
		if filepath.IsAbs(target) {
			resolved = vol + string(filepath.Separator)
		}
		todo = target + string(filepath.Separator) + todo
	}
	return resolved, nil
}
