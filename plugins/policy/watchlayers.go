package policy

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// LayeredWatcher keeps the combination ([Combine]) of the managed policy and
// a user's policy current as either file changes.
type LayeredWatcher struct {
	managed, user *Watcher // user is nil when there is no user layer

	mu    sync.Mutex // serialises recombining and apply
	ready bool
	apply func(*Policy)
	cur   atomic.Pointer[Policy]
}

// WatchLayered watches the managed policy at managedPath and, unless
// userPath is "", the user's policy at userPath, each as [Watch] does, and
// keeps their combination current: after a change to either file,
// [LayeredWatcher.Current] is the new combination and apply is called with
// it (on a watcher goroutine; calls never overlap; not for the initial
// policy). Each file keeps its own last good policy when an edit breaks it,
// and a file invalid from the start blocks every plugin, so a broken user
// file can only restrict. It costs two fsnotify watches.
func WatchLayered(ctx context.Context, managedPath, userPath string, apply func(*Policy)) (*LayeredWatcher, error) {
	lw := &LayeredWatcher{apply: apply}
	var err error
	lw.managed, err = Watch(ctx, managedPath, func(*Policy) { lw.changed() })
	if err != nil {
		return nil, err
	}
	if userPath != "" {
		lw.user, err = Watch(ctx, userPath, func(*Policy) { lw.changed() })
		if err != nil {
			lw.managed.Close()
			return nil, err
		}
	}
	lw.mu.Lock()
	// A change seen while the second watcher was starting is in Current
	// already, so the first combination includes it.
	lw.cur.Store(lw.combine())
	lw.ready = true
	lw.mu.Unlock()
	return lw, nil
}

// combine returns the combination of the two watchers' current policies.
func (lw *LayeredWatcher) combine() *Policy {
	if lw.user == nil {
		return lw.managed.Current()
	}
	return Combine(lw.managed.Current(), lw.user.Current())
}

// changed recombines after one of the files changed and passes the result
// to apply.
func (lw *LayeredWatcher) changed() {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if !lw.ready {
		return
	}
	p := lw.combine()
	lw.cur.Store(p)
	if lw.apply != nil {
		lw.apply(p)
	}
}

// Current returns the combined policy in force. It never returns nil.
func (lw *LayeredWatcher) Current() *Policy { return lw.cur.Load() }

// LastError returns why either file could not be used the last time it was
// read (both reasons joined), or nil when both are in force as written.
func (lw *LayeredWatcher) LastError() error {
	err := lw.managed.LastError()
	if lw.user != nil {
		err = errors.Join(err, lw.user.LastError())
	}
	return err
}

// Close stops both watchers; apply is not called after Close returns.
func (lw *LayeredWatcher) Close() error {
	err := lw.managed.Close()
	if lw.user != nil {
		err = errors.Join(err, lw.user.Close())
	}
	return err
}
