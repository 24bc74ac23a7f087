package main

import "context"

// untilInterrupted is the outcome of a command that runs until the user
// stops it (run, open): err, or nil once ctx, the command's context, is
// done, which happens only when warden gets SIGINT or SIGTERM (main). The
// user asked it to stop, so stopping, and whatever the stop cut short
// (a wait, a backend build, the profile lock), is a clean end with exit
// status 0, not a "context canceled" failure. The command still closes
// the profile, flushing the audit log, on its way out.
func untilInterrupted(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}
