// Package files reads and writes plugin-requested files after the
// permission decision allowed a path.
//
// The decision is made on a cleaned, symlink-resolved absolute path, so a
// symlink anywhere in that path at the time of the call means the tree
// changed after the check (or the caller passed an unresolved path). Opens
// therefore use openat2 with RESOLVE_NO_SYMLINKS, which refuses symlinks in
// every component; on kernels without openat2 (before 5.6) they fall back
// to O_NOFOLLOW, which covers only the final component.
package files

import (
	"errors"
	"fmt"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// DefaultMax is the size cap used when the caller passes max <= 0.
const DefaultMax = 64 << 20

// Errors callers branch on.
var (
	// ErrTooLarge means the file or data exceeds the size cap.
	ErrTooLarge = errors.New("file too large")
	// ErrNotRegular means the path names a directory, device, FIFO or socket.
	ErrNotRegular = errors.New("not a regular file")
	// ErrSymlink means the path names, or passes through, a symlink.
	ErrSymlink = errors.New("path is a symlink")
	// ErrBadPath means the path is not absolute and clean, or has no final
	// name to read or write.
	ErrBadPath = errors.New("path must be absolute and clean")
)

func checkPath(path string) error {
	if !filepath.IsAbs(path) || filepath.Clean(path) != path || path == "/" {
		return fmt.Errorf("%q: %w", path, ErrBadPath)
	}
	return nil
}

func capOf(max int64) int64 {
	if max <= 0 {
		return DefaultMax
	}
	return max
}

// openNoSymlinks opens path relative to dirfd (or absolute), refusing
// symlinks in every component where the kernel allows it.
func openNoSymlinks(dirfd int, path string, flags int, mode uint32) (int, error) {
	how := &unix.OpenHow{
		Flags:   uint64(flags | unix.O_CLOEXEC | unix.O_NOFOLLOW),
		Mode:    uint64(mode),
		Resolve: unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
	}
	for {
		fd, err := unix.Openat2(dirfd, path, how)
		switch {
		case err == nil:
			return fd, nil
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EPERM) && !hasOpenat2():
			// No openat2 (old kernel, or a seccomp filter that blocks it).
			return openatRetry(dirfd, path, flags|unix.O_CLOEXEC|unix.O_NOFOLLOW, mode)
		case errors.Is(err, unix.ELOOP):
			return -1, fmt.Errorf("%w: %w", ErrSymlink, err)
		default:
			return -1, err
		}
	}
}

func openatRetry(dirfd int, path string, flags int, mode uint32) (int, error) {
	for {
		fd, err := unix.Openat(dirfd, path, flags, mode)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if errors.Is(err, unix.ELOOP) {
			return -1, fmt.Errorf("%w: %w", ErrSymlink, err)
		}
		return fd, err
	}
}

// hasOpenat2 probes once whether openat2 works at all, so that an EPERM
// from a real permission problem is not mistaken for a missing syscall.
func hasOpenat2() bool {
	fd, err := unix.Openat2(unix.AT_FDCWD, "/", &unix.OpenHow{Flags: unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC})
	if err != nil {
		return false
	}
	unix.Close(fd)
	return true
}
