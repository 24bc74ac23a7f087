package main

import (
	"context"
	"os"

	"github.com/spf13/cobra"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/host/window"
)

func newDev(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "dev <plugin-dir>",
		Short: "Run a plugin from its source directory and keep it in step with your edits",
		Long: `dev opens the plugin in <plugin-dir> like warden open (developer mode: every
permission its manifest declares is granted) and watches the directory:

  - a change to the UI reloads the page;
  - a change to the backend rebuilds it and swaps it in with the window
    open; a build error is printed and shown in the window, and the
    previous backend keeps running;
  - a change to manifest.json is checked again; if it is valid and the
    policy allows it, new permissions are named and granted and the
    window reopens with it, else the previous manifest stays.

The page's console and uncaught errors are printed here, prefixed with the
plugin's id, and F5 or Ctrl+R reloads the page. The plugin's data (storage,
$DATA, website data) is kept under <profile>/dev/<id>, apart from the
installed plugin with the same id. It runs until the window is closed or
warden is interrupted.`,
		Example: `  warden dev examples/hello`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			pol, err := loadPolicy(g)
			if err != nil {
				return err
			}
			w, err := warden.Open(ctx, warden.Config{Profile: g.profile, CacheDir: cacheDir(), Policy: pol,
				Window: cliWindow(window.Options{Stderr: os.Stderr})})
			if err != nil {
				return err
			}
			defer w.Close(context.Background()) // ctx is done after Ctrl-C: the audit log must still be flushed
			return w.Dev(ctx, args[0], warden.DevOptions{Out: cmd.ErrOrStderr()})
		},
	}
}
