package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/host/supervise"
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
developer mode off, and a plugin it blocks, or one asking for a permission it
blocks, is refused.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			dir := args[0]
			pol, err := loadPolicy(g)
			if err != nil {
				return err
			}
			m, err := openSource(ctx, pol, dir)
			if err != nil {
				return err
			}
			h, err := host.New(ctx, host.Options{Profile: g.profile, Limits: limitsOf(pol.Ceilings())})
			if err != nil {
				return err
			}
			defer h.Close(ctx)
			p, err := h.Load(ctx, dir, host.LoadOptions{Grants: host.GrantAll(m), Ceiling: pol.PermissionCeiling()})
			if err != nil {
				return err
			}
			if err := sameSource(m, p.Manifest()); err != nil {
				return err
			}
			wins, err := window.NewManager(h, supervise.Policy{})
			if err != nil {
				return err
			}
			if _, err := wins.Open(ctx, p, withNetwork(window.Options{Debug: debug, Stderr: os.Stderr}, pol)); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "warden: %s %s is running; close its window or press Ctrl-C to stop\n", m.ID, m.Version)
			return wins.Wait(ctx, p.ID())
		},
	}
	cmd.Flags().BoolVar(&debug, "debug", false, "log the page's console and enable the inspector")
	return cmd
}
