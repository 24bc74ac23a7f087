package main

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/wardenhq/warden/manifest"
	"github.com/wardenhq/warden/plugins/build"
)

func newBuild() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "build <dir>",
		Short: "Compile a plugin's backend with the toolchain its manifest names",
		Long: `build compiles the backend of the plugin in <dir> to the .wasm its manifest
names (backend.wasm), with backend.toolchain: go (GOOS=wasip1), assemblyscript
(asc, installed by npm into the backend's node_modules on first use) or js
(Extism's extism-js, which must be on PATH). Without a toolchain, .go files
beside the .wasm mean go. A build is skipped when the .wasm is newer than
every source (--force builds anyway). Compiler errors are printed as
file:line:col: message, with paths relative to <dir>, and the old .wasm is
left as it was.

build also writes warden-backend.d.ts beside the UI entry (when the
manifest's commands changed): with warden.d.ts it lets warden.invoke accept
"backend.<name>" for those commands only, so a misspelt one fails to
type-check.`,
		Example: `  warden build my-plugin`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			m, err := manifest.Load(dir)
			if err != nil {
				return err
			}
			if rel, changed, err := build.Types(dir, m); err != nil {
				return err
			} else if changed {
				fmt.Fprintf(cmd.OutOrStdout(), "wrote %s: the backend commands warden.invoke accepts\n", rel)
			}
			if m.Backend == nil {
				fmt.Fprintf(cmd.OutOrStdout(), "%s has no backend: nothing to build\n", m.ID)
				return nil
			}
			run := build.Backend
			if force {
				run = build.Rebuild
			}
			res, err := run(cmd.Context(), dir, m.Backend)
			if berr := (*build.Error)(nil); errors.As(err, &berr) {
				for _, d := range berr.Diagnostics {
					fmt.Fprintln(cmd.ErrOrStderr(), d)
				}
				if len(berr.Diagnostics) == 0 {
					fmt.Fprintln(cmd.ErrOrStderr(), berr.Output)
				}
				return fmt.Errorf("build %s: %s failed; the backend was not changed", m.ID, berr.Tool)
			}
			if err != nil {
				return err
			}
			rel := res.Wasm
			if abs, err := filepath.Abs(dir); err == nil {
				if r, err := filepath.Rel(abs, res.Wasm); err == nil {
					rel = r
				}
			}
			switch {
			case res.Toolchain == "":
				fmt.Fprintf(cmd.OutOrStdout(), "%s: no backend sources; using %s as it is\n", m.ID, filepath.ToSlash(rel))
			case res.Built:
				fmt.Fprintf(cmd.OutOrStdout(), "built %s (%s): %s\n", m.ID, res.Toolchain, filepath.ToSlash(rel))
			default:
				fmt.Fprintf(cmd.OutOrStdout(), "%s is up to date (%s): %s\n", m.ID, res.Toolchain, filepath.ToSlash(rel))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "build even when the .wasm is newer than its sources")
	return cmd
}
