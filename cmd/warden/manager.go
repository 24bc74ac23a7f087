package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/host/managerwin"
	"github.com/wardenhq/warden/host/window"
)

func newManagerCmd(g *globals) *cobra.Command {
	var install string
	cmd := &cobra.Command{
		Use:   "manager",
		Short: "Open Warden's manager window: installed plugins, their permissions, the audit log",
		Long: `manager opens Warden's own window (also what warden with no command does). It
lists the installed plugins with their version, publisher, signature and
state, and each one's permissions with the date you allowed them and the
author's reasons; it opens and closes plugin windows, enables, disables and
revokes; and it shows the audit log, all requests or the denied ones. No
plugin window opens until you open it. Plugin pages have no way to the
manager's window. The admin's policy applies live, as under warden run, and
other warden commands work while it runs (see warden run). manager ends
when its window is closed, closing the plugin windows it opened, or on
Ctrl-C.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if install != "" {
				abs, err := filepath.Abs(install)
				if err != nil {
					return err
				}
				install = abs
				// A manager already open on this profile shows the dialog.
				msg, err := warden.SendControl(cmd.Context(), g.profile, warden.ControlRequest{Op: "offer-install", Path: install})
				if !errors.Is(err, warden.ErrNoRun) {
					if err == nil {
						fmt.Fprintln(cmd.OutOrStdout(), msg)
					}
					return err
				}
			}
			return untilInterrupted(cmd.Context(), runManagerWindow(cmd, g, managerwin.Options{}, install))
		},
	}
	cmd.Flags().StringVar(&install, "install", "", "show the install dialog for this bundle (what opening a .wbundle from the file manager runs)")
	return cmd
}

// runManagerWindow opens the profile and its manager window, and runs
// until the window is closed.
func runManagerWindow(cmd *cobra.Command, g *globals, opts managerwin.Options, install string) error {
	ctx := cmd.Context()
	if err := window.CheckDisplay(opts.Env); err != nil {
		return err
	}
	pol, err := loadPolicy(g)
	if err != nil {
		return err
	}
	s, err := warden.Open(ctx, warden.Config{Profile: g.profile, CacheDir: cacheDir(), Policy: pol, Window: cliWindow(window.Options{Stderr: os.Stderr, Spare: true})})
	if err != nil {
		return err
	}
	defer s.Close(context.Background())
	out := cmd.ErrOrStderr()
	stop, err := holdProfile(ctx, g, s, out, nil)
	if err != nil {
		return err
	}
	defer stop()
	if opts.Stderr == nil {
		opts.Stderr = os.Stderr
	}
	mw, err := s.OpenManager(ctx, opts)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "warden: the manager window is open; close it or press Ctrl-C to stop")
	if install != "" {
		if err := s.OfferInstall(ctx, install); err != nil {
			fmt.Fprintf(out, "warden: %v\n", err)
		}
	}
	err = mw.Wait(ctx)
	if errors.Is(err, context.Canceled) {
		mw.Close()
	}
	return err
}
