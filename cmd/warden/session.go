package main

import (
	"context"
	"os"

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

// cliWindow runs plugin windows in the webview program beside this binary
// (window.ProgramPath), so that this one does not link WebKitGTK.
func cliWindow(o window.Options) window.Options {
	if o.Executable == "" {
		exe, err := os.Executable()
		if err != nil {
			exe = "warden" // the program is then looked for in the working directory, and named when missing
		}
		o.Executable = window.ProgramPath(exe)
	}
	return o
}
