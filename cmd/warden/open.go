package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/host/window"
)

func newOpen(g *globals) *cobra.Command {
	var debug bool
	cmd := &cobra.Command{
		Use:   "open <plugin-dir>",
		Short: "Run one plugin from its source directory in its own window",
		Long: `open loads the plugin in <plugin-dir> (building its Go backend when the sources
are newer than the .wasm), grants what its manifest declares (developer mode)
and shows its UI in a supervised webview process. It runs until the window is
closed or warden is interrupted. The admin policy still applies: it can turn
developer mode off, a plugin it blocks, or one asking for a permission it
blocks, is refused, and its isolation hook runs in the window (a hook whose
file does not match its pin keeps the window from opening).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return untilInterrupted(cmd.Context(), runOpen(cmd, g, args[0], debug))
		},
	}
	cmd.Flags().BoolVar(&debug, "debug", false, "log the page's console and enable the inspector")
	return cmd
}

func runOpen(cmd *cobra.Command, g *globals, dir string, debug bool) error {
	ctx := cmd.Context()
	pol, err := loadPolicy(g)
	if err != nil {
		return err
	}
	w, err := warden.Open(ctx, warden.Config{Profile: g.profile, CacheDir: cacheDir(), Policy: pol,
		Window: cliWindow(window.Options{Debug: debug, Stderr: os.Stderr})})
	if err != nil {
		return err
	}
	defer w.Close(context.Background()) // ctx is done after Ctrl-C: the audit log must still be flushed
	p, err := w.LoadSource(ctx, dir, nil)
	if err != nil {
		return err
	}
	if _, err := w.OpenWindow(ctx, p, nil); err != nil {
		return err
	}
	m := p.Manifest()
	fmt.Fprintf(cmd.ErrOrStderr(), "warden: %s %s is running; close its window or press Ctrl-C to stop\n", m.ID, m.Version)
	return w.Windows().Wait(ctx, p.ID())
}
