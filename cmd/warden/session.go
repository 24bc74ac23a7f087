package main

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	berrors "go.etcd.io/bbolt/errors"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/plugins/manager"
	"github.com/wardenhq/warden/plugins/policy"
	"github.com/wardenhq/warden/plugins/store"
)

// session is one command's view of the profile: the core (for the state
// database, the compilation cache and plugin data), the installed-plugin
// store, the admin policy and the lifecycle manager over them.
type session struct {
	h   *host.Host
	st  *store.Store
	pol atomic.Pointer[policy.Policy]
	m   *manager.Manager
}

// openSession opens g's profile and loads the admin policy, with the
// user's policy layer on top when one is given (see loadPolicy). The
// policy's blocked permissions are passed per plugin at load
// (LoadOptions.Ceiling), not to the host, so that a live policy change can
// lift them as well as add them. A policy file that does not parse stops
// every command that changes or runs plugins: the CLI has no last good
// policy to fall back on, so it fails closed.
func openSession(ctx context.Context, g *globals) (*session, error) {
	pol, err := loadPolicy(g)
	if err != nil {
		return nil, err
	}
	h, err := host.New(ctx, host.Options{Profile: g.profile, Limits: limitsOf(pol.Ceilings())})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, fmt.Errorf("profile %s is in use by another warden process (a running window?): close it and retry", g.profile)
		}
		return nil, err
	}
	st, err := store.Open(h.DB(), h.Profile())
	if err != nil {
		h.Close(ctx)
		return nil, err
	}
	s := &session{h: h, st: st}
	s.pol.Store(pol)
	s.m, err = manager.New(manager.Options{
		Store:       st,
		Policy:      s.pol.Load,
		HostVersion: host.Version,
		Precompile:  h,
		Purge:       h,
	})
	if err != nil {
		h.Close(ctx)
		return nil, err
	}
	return s, nil
}

func (s *session) Close(ctx context.Context) error { return s.h.Close(ctx) }

// limitsOf turns the policy's resource ceilings into the core's limits: a
// ceiling can only lower a default. They apply to the plugins a process
// starts; a changed ceiling takes effect at the next start.
func limitsOf(c policy.Ceilings) host.Limits {
	d := host.DefaultLimits
	var l host.Limits
	if c.BackendTimeout > 0 {
		l.MaxTimeout = min(c.BackendTimeout, d.MaxTimeout)
	}
	if c.BackendMemoryMB > 0 {
		l.MaxMemoryMB = min(c.BackendMemoryMB, d.MaxMemoryMB)
	}
	if c.StorageQuota > 0 {
		l.StorageQuota = min(c.StorageQuota, d.StorageQuota)
	}
	if c.InvokeRate > 0 {
		l.Rate = min(float64(c.InvokeRate), d.Rate)
		l.Burst = min(c.InvokeRate, d.Burst)
	}
	return l
}
