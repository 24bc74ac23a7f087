package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// lockName is the lock file in the profile. It is never removed: removing
// a lock file lets two processes lock two different files.
const lockName = "install.lock"

// Lock is a held install lock; release it with Unlock.
type Lock struct {
	s    *Store
	f    *os.File
	once sync.Once
}

// Lock takes the profile's install lock: exclusive across goroutines of
// this process and, through flock(2) on <profile>/install.lock, across
// processes. Hold it for the whole of an install, update, rollback or
// uninstall, from the first staged byte to Commit. It waits until the lock
// is free or ctx is done (then the error wraps ErrBusy and ctx.Err()). It is
// not reentrant: a second Lock while holding one waits for ctx. The kernel
// releases the flock when a process dies, so a crash never leaves it held.
func (s *Store) Lock(ctx context.Context) (*Lock, error) {
	path := filepath.Join(s.profile, lockName)
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("lock %s: %w: wait for it to finish (%w)", path, ErrBusy, ctx.Err())
	}
	f, err := openLockFile(path)
	if err != nil {
		<-s.sem
		return nil, err
	}
	// flock(2) cannot be cancelled, so poll the non-blocking form.
	wait := 5 * time.Millisecond
	for {
		err := flockNB(f)
		if err == nil {
			return &Lock{s: s, f: f}, nil
		}
		if !errors.Is(err, ErrBusy) {
			f.Close()
			<-s.sem
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			f.Close()
			<-s.sem
			return nil, fmt.Errorf("lock %s: %w: another warden process is installing; wait for it to finish (%w)",
				path, ErrBusy, ctx.Err())
		}
		wait = min(2*wait, 100*time.Millisecond)
	}
}

// tryLock takes the install lock only if it is free now, else returns an
// error wrapping ErrBusy.
func (s *Store) tryLock() (*Lock, error) {
	path := filepath.Join(s.profile, lockName)
	select {
	case s.sem <- struct{}{}:
	default:
		return nil, fmt.Errorf("lock %s: %w", path, ErrBusy)
	}
	f, err := openLockFile(path)
	if err != nil {
		<-s.sem
		return nil, err
	}
	if err := flockNB(f); err != nil {
		f.Close()
		<-s.sem
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &Lock{s: s, f: f}, nil
}

// Unlock releases the lock. Calls after the first do nothing.
func (l *Lock) Unlock() error {
	var err error
	l.once.Do(func() {
		// Closing the last descriptor releases the flock.
		if cerr := l.f.Close(); cerr != nil {
			err = fmt.Errorf("unlock %s: %w", l.f.Name(), cerr)
		}
		<-l.s.sem
	})
	return err
}

// openLockFile opens (creating) the lock file.
func openLockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", path, err)
	}
	return f, nil
}

// flockNB tries once to take an exclusive flock on f; a held lock returns
// ErrBusy.
func flockNB(f *os.File) error {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EWOULDBLOCK):
			return ErrBusy
		}
		return err
	}
}
