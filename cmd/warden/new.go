package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/plugins/scaffold"
)

func newNew() *cobra.Command {
	var opts scaffold.Options
	cmd := &cobra.Command{
		Use:   "new <dir> [--backend go|assemblyscript|js]",
		Short: "Write a new plugin that builds and runs: manifest, typed UI, backend with a test",
		Long: `new writes a working plugin into <dir> (which must not exist or be empty):
manifest.json, a small UI typed by ui/warden.d.ts, a backend whose greet
command the page calls, and a README. The backend is Go (its own module, with
Warden's guest SDK vendored, so it builds with no network), AssemblyScript
(an npm project using @extism/as-pdk) or JavaScript (for Extism's extism-js,
which must be installed separately). The id defaults to local.<dir name>.`,
		Example: `  warden new my-plugin
  warden new my-plugin --backend assemblyscript --id com.example.myplugin --name "My plugin"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.HostVersion = host.Version
			files, err := scaffold.New(args[0], opts)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "created %s (%d files)\n", args[0], len(files))
			dir := args[0]
			if !filepath.IsAbs(dir) {
				dir = "./" + filepath.ToSlash(filepath.Clean(dir))
			}
			fmt.Fprintf(w, "next:\n  warden dev %s      # open it; reload on every save\n  warden build %s    # compile the backend\n  warden pack %s     # a bundle to install or publish\n", dir, dir, dir)
			return nil
		},
	}
	cmd.Flags().StringVar(&opts.Backend, "backend", "go", "the backend's language: go, assemblyscript or js")
	cmd.Flags().StringVar(&opts.ID, "id", "", "the plugin's id, reverse-DNS like com.example.tool (default local.<dir name>)")
	cmd.Flags().StringVar(&opts.Name, "name", "", "the plugin's display name (default the directory's name)")
	cmd.Flags().StringVar(&opts.Publisher, "publisher", "", "the publisher named in the manifest")
	return cmd
}
