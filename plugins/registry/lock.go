package registry

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// lockName is the lock file in a registry directory. It is never removed:
// removing a lock file lets two processes lock two different files.
const lockName = ".lock"

// lockDir takes an exclusive flock(2) on dir's lock file, waiting until it
// is free or ctx is done (ErrBusy). The returned func releases it; the
// kernel releases it too when the process dies.
func lockDir(ctx context.Context, dir string) (unlock func(), err error) {
	path := filepath.Join(dir, lockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// flock(2) cannot be cancelled, so poll the non-blocking form.
	wait := 5 * time.Millisecond
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		switch {
		case err == nil:
			return func() { f.Close() }, nil
		case errors.Is(err, unix.EINTR):
			continue
		case !errors.Is(err, unix.EWOULDBLOCK):
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if err := sleep(ctx, wait); err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w: another warden registry add is running; wait for it to finish (%w)", path, ErrBusy, err)
		}
		wait = min(2*wait, 100*time.Millisecond)
	}
}
