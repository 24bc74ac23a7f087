package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// Staging is a fresh directory under <profile>/staging/ for one install in
// progress. It is safe for concurrent use, though one goroutine normally
// owns it.
type Staging struct {
	s    *Store
	dir  string
	mu   sync.Mutex
	done bool // committed or discarded
}

// Stage makes a new staging directory with a random name. The caller fills
// Dir() with the extracted bundle tree, then calls Commit or Discard (a
// deferred Discard is safe after Commit). Recovery in this process leaves it
// alone while it is open; after a crash, recovery removes it.
func (s *Store) Stage(ctx context.Context) (*Staging, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("stage: %w", err)
	}
	if err := os.MkdirAll(s.staging, 0o700); err != nil {
		return nil, fmt.Errorf("stage: %w", err)
	}
	s.stMu.Lock()
	defer s.stMu.Unlock()
	dir, err := os.MkdirTemp(s.staging, "stage-")
	if err != nil {
		return nil, fmt.Errorf("stage: %w", err)
	}
	s.active[filepath.Base(dir)] = true
	return &Staging{s: s, dir: dir}, nil
}

// Dir returns the staging directory.
func (st *Staging) Dir() string { return st.dir }

// Discard removes the staging directory and everything in it. It does
// nothing after Commit or a previous Discard.
func (st *Staging) Discard() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.done {
		return nil
	}
	st.done = true
	err := os.RemoveAll(st.dir)
	st.s.release(st.dir)
	if err != nil {
		return fmt.Errorf("discard staging: %w", err)
	}
	return nil
}

// release forgets an active staging directory.
func (s *Store) release(dir string) {
	s.stMu.Lock()
	delete(s.active, filepath.Base(dir))
	s.stMu.Unlock()
}

// isActive reports whether name is an open staging directory of this Store.
func (s *Store) isActive(name string) bool {
	s.stMu.Lock()
	defer s.stMu.Unlock()
	return s.active[name]
}
