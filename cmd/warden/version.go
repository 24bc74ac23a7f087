package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wardenhq/warden/host"
)

// addVersion gives root a --version flag and a version command, both
// printing versionText.
func addVersion(root *cobra.Command) {
	root.Version = versionText(debug.ReadBuildInfo())
	root.SetVersionTemplate("{{.Version}}\n")
	root.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "Print Warden's version, the source revision it was built from and the Go version",
		Long: `version prints Warden's version (the one a plugin manifest's "host" range
is checked against), the version control revision the binary was built from
and the Go version that built it. warden --version prints the same.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), cmd.Root().Version)
			return err
		},
	})
}

// versionText describes this build: host.Version, then the revision and Go
// version from the build information when there is some (ok); a binary
// built outside a repository, or by go test, has no revision.
func versionText(info *debug.BuildInfo, ok bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "warden %s", host.Version)
	goVersion := runtime.Version()
	revision, modified := "", false
	if ok {
		if info.GoVersion != "" {
			goVersion = info.GoVersion
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	switch {
	case revision == "":
		b.WriteString("\nrevision: unknown (built without version control information)")
	case modified:
		fmt.Fprintf(&b, "\nrevision: %s, with uncommitted changes", revision)
	default:
		fmt.Fprintf(&b, "\nrevision: %s", revision)
	}
	fmt.Fprintf(&b, "\ngo:       %s", goVersion)
	return b.String()
}
