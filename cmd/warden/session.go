package main

import (
	"context"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/host/window"
)

// openSession opens g's profile under the admin policy, with the user's
// policy layer on top when one is given (see loadPolicy). The policy's
// blocked permissions are passed per plugin at load, not to the core, so
// that a live policy change can lift them as well as add them. A policy
// file that does not parse stops every command that changes or runs
// plugins: the command line has no last good policy to fall back on, so
// it fails closed.
func openSession(ctx context.Context, g *globals) (*warden.Warden, error) {
	pol, err := loadPolicy(g)
	if err != nil {
		return nil, err
	}
	return warden.Open(ctx, warden.Config{Profile: g.profile, CacheDir: cacheDir(), Policy: pol, Window: cliWindow(window.Options{})})
}

// cliWindow runs plugin windows as this binary's hidden webview command.
func cliWindow(o window.Options) window.Options {
	if o.Args == nil {
		o.Args = []string{"webview"}
	}
	return o
}
