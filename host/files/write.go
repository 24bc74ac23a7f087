package files

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// writeChunk is how much Write writes between context checks.
const writeChunk = 1 << 20

// Write replaces the file at an already-resolved absolute path atomically:
// it writes a temporary file in the same directory, fsyncs it, renames it
// over path and fsyncs the directory, so readers see the old or the new
// content, never a mix, even across a crash. It refuses when the final
// component is an existing symlink (ErrSymlink) or non-regular file
// (ErrNotRegular), when data is over max bytes (ErrTooLarge; max <= 0 means
// DefaultMax), and when the parent directory does not exist. An existing
// file keeps its permission bits; a new one gets 0666 minus the umask. On
// failure the temporary file is removed. Costs two fsyncs.
func Write(ctx context.Context, path string, data []byte, max int64) (err error) {
	if err := checkPath(path); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if max = capOf(max); int64(len(data)) > max {
		return fmt.Errorf("write %s: %d bytes, at most %d: %w", path, len(data), max, ErrTooLarge)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	dir, base := filepath.Split(path)
	dirfd, err := openNoSymlinks(unix.AT_FDCWD, dir, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return fmt.Errorf("write %s: open directory: %w", path, err)
	}
	defer unix.Close(dirfd)

	// The target's checks are made relative to the directory we hold, so a
	// swapped parent cannot redirect them.
	mode := uint32(0o666)
	keepMode := false
	var st unix.Stat_t
	switch err := unix.Fstatat(dirfd, base, &st, unix.AT_SYMLINK_NOFOLLOW); {
	case err == nil:
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFREG:
			// Permission bits only: a plugin rewriting a file must not
			// inherit its setuid, setgid or sticky bits.
			mode, keepMode = st.Mode&0o777, true
		case unix.S_IFLNK:
			return fmt.Errorf("write %s: %w", path, ErrSymlink)
		default:
			return fmt.Errorf("write %s: %w", path, ErrNotRegular)
		}
	case errors.Is(err, unix.ENOENT):
	default:
		return fmt.Errorf("write %s: stat: %w", path, err)
	}

	tmp, fd, err := createTemp(dirfd, base)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if fd >= 0 {
			unix.Close(fd)
		}
		if err != nil {
			unix.Unlinkat(dirfd, tmp, 0)
		}
	}()

	if keepMode {
		// The umask applied at create; restore the old file's exact bits.
		if err := unix.Fchmod(fd, mode); err != nil {
			return fmt.Errorf("write %s: chmod: %w", path, err)
		}
	}
	for rest := data; len(rest) > 0; {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		n, err := unix.Write(fd, rest[:min(len(rest), writeChunk)])
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		rest = rest[n:]
	}
	if err := unix.Fsync(fd); err != nil {
		return fmt.Errorf("write %s: fsync: %w", path, err)
	}
	cerr := unix.Close(fd)
	fd = -1
	if cerr != nil {
		return fmt.Errorf("write %s: close: %w", path, cerr)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	// rename replaces a directory entry and never follows a symlink, so a
	// target swapped for a link since the stat is replaced, not written through.
	if err := unix.Renameat(dirfd, tmp, dirfd, base); err != nil {
		return fmt.Errorf("write %s: rename: %w", path, err)
	}
	if err := unix.Fsync(dirfd); err != nil {
		// The new content is in place; only its durability is in doubt.
		return fmt.Errorf("write %s: fsync directory: %w", path, err)
	}
	return nil
}

// createTemp makes a new hidden file next to base in dirfd, exclusively.
func createTemp(dirfd int, base string) (string, int, error) {
	var rnd [8]byte
	for range 10 {
		rand.Read(rnd[:])
		// Bounded so a long target name cannot push the temp name past NAME_MAX.
		name := fmt.Sprintf(".%.32s.%s.tmp", base, hex.EncodeToString(rnd[:]))
		fd, err := openatRetry(dirfd, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0o666)
		if errors.Is(err, unix.EEXIST) {
			continue
		}
		if err != nil {
			return "", -1, fmt.Errorf("create temp file: %w", err)
		}
		return name, fd, nil
	}
	return "", -1, errors.New("create temp file: names exhausted")
}
