package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// holdLock takes the profile's install lock through a separate open file
// description, as another process would; close the file to release it.
func holdLock(t *testing.T, profile string) *os.File {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(profile, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestLockAcrossProcesses(t *testing.T) {
	s, profile := newStore(t, Options{})
	other := holdLock(t, profile)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Millisecond)
	defer cancel()
	if _, err := s.Lock(ctx); !errors.Is(err, ErrBusy) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock while another holds it: %v", err)
	}
	// Released while waiting: Lock gets it.
	go func() {
		time.Sleep(30 * time.Millisecond)
		other.Close()
	}()
	l, err := s.Lock(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// Now the other side cannot take it.
	f, err := os.OpenFile(filepath.Join(profile, lockName), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); !errors.Is(err, unix.EWOULDBLOCK) {
		t.Errorf("flock while Lock is held: %v", err)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := l.Unlock(); err != nil {
		t.Errorf("second Unlock: %v", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		t.Errorf("flock after Unlock: %v", err)
	}
}

func TestLockInProcess(t *testing.T) {
	s, _ := newStore(t, Options{})
	l, err := s.Lock(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var got atomic.Bool
	done := make(chan error)
	go func() {
		l2, err := s.Lock(t.Context())
		got.Store(true)
		if err == nil {
			err = l2.Unlock()
		}
		done <- err
	}()
	time.Sleep(30 * time.Millisecond)
	if got.Load() {
		t.Fatal("second Lock succeeded while the first was held")
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	l3, err := s.tryLock()
	if err != nil {
		t.Fatalf("tryLock after all unlocked: %v", err)
	}
	l3.Unlock()
}

func TestLockCanceledBeforeStart(t *testing.T) {
	s, _ := newStore(t, Options{})
	l, err := s.Lock(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.Lock(ctx); !errors.Is(err, ErrBusy) || !errors.Is(err, context.Canceled) {
		t.Errorf("Lock with canceled ctx while held: %v", err)
	}
	if _, err := s.tryLock(); !errors.Is(err, ErrBusy) {
		t.Errorf("tryLock while held: %v", err)
	}
}
