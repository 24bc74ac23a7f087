package files

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"

	"golang.org/x/sys/unix"
)

// readChunk is how much Read reads between context checks.
const readChunk = 1 << 20

// Read reads a regular file at an already-resolved absolute path (the
// permission decision was made on exactly this path). It refuses symlinks
// (ErrSymlink), non-regular files (ErrNotRegular) and files over max bytes
// (ErrTooLarge); max <= 0 means DefaultMax. It holds the whole file in
// memory and checks ctx between 1 MiB chunks.
func Read(ctx context.Context, path string, max int64) ([]byte, error) {
	if err := checkPath(path); err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	max = capOf(max)
	// O_NONBLOCK keeps a FIFO from blocking the open; fstat refuses it next.
	fd, err := openNoSymlinks(unix.AT_FDCWD, path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY, 0)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()

	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, fmt.Errorf("read %s: stat: %w", path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, fmt.Errorf("read %s: %w", path, ErrNotRegular)
	}
	if st.Size > max {
		return nil, fmt.Errorf("read %s: %d bytes, at most %d: %w", path, st.Size, max, ErrTooLarge)
	}

	// The file may grow after fstat: read at most max+1 bytes to notice.
	buf := make([]byte, 0, st.Size+1)
	r := io.LimitReader(f, max+1)
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, 4096) // the file grew since fstat
		}
		n, err := r.Read(buf[len(buf):min(cap(buf), len(buf)+readChunk)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
	}
	if int64(len(buf)) > max {
		return nil, fmt.Errorf("read %s: over %d bytes: %w", path, max, ErrTooLarge)
	}
	return buf, nil
}
