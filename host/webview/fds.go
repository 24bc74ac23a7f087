package webview

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// closeInheritedOnExec marks every descriptor from 3 up close-on-exec:
// the socket to the core (fd 3), the web extension's channel (fd 4) and
// anything else this process was started with. exec clears the flag on
// the descriptors a parent hands over, and WebKit starts its web and
// network processes without closing what they do not need, so without
// this a compromised renderer would inherit fd 3 and could speak to the
// core as this process: report a crash or a close, flood logs, read the
// next launch's key. The channel still reaches the web process, passed
// on purpose in a WebKit message (OfferChannel). It costs one read of
// /proc/self/fd and one fcntl per descriptor, once at start.
func closeInheritedOnExec() error {
	names, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return fmt.Errorf("list inherited descriptors: %w", err)
	}
	for _, e := range names {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fd < 3 {
			continue
		}
		// The directory's own descriptor is closed by now: EBADF is fine.
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFD, unix.FD_CLOEXEC); err != nil && err != unix.EBADF {
			return fmt.Errorf("close-on-exec fd %d: %w", fd, err)
		}
	}
	return nil
}
