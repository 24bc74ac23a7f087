package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wardenhq/warden/internal/atomicfile"
)

// Desktop integration: a .desktop file and a MIME type under the user's
// XDG data directory, so that opening a .wbundle in the file manager runs
// `warden manager --install FILE`: the manager's install dialog, in the
// manager already open or a new one.

// bundleMIME is the MIME type of Warden bundles.
const bundleMIME = "application/x-warden-bundle"

// desktopFiles returns the files desktop integration writes under
// dataHome, by path, for the warden binary exe and profile.
func desktopFiles(dataHome, exe, profile string) map[string]string {
	execLine := desktopQuote(exe)
	if profile != defaultProfile() {
		execLine += " --profile " + desktopQuote(profile)
	}
	execLine += " manager --install %f"
	return map[string]string{
		filepath.Join(dataHome, "applications", "warden.desktop"): `[Desktop Entry]
Type=Application
Name=Warden
GenericName=Plugin manager
Comment=Install and manage Warden plugins
Exec=` + execLine + `
Terminal=false
MimeType=` + bundleMIME + `;
Categories=Utility;
`,
		filepath.Join(dataHome, "mime", "packages", "warden-bundle.xml"): `<?xml version="1.0" encoding="UTF-8"?>
<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">
  <mime-type type="` + bundleMIME + `">
    <comment>Warden plugin bundle</comment>
    <glob pattern="*.wbundle"/>
  </mime-type>
</mime-info>
`,
	}
}

// desktopQuote quotes s for an Exec line when it needs it (the desktop
// entry specification's rules: double quotes, with ", `, $ and \ escaped).
func desktopQuote(s string) string {
	if !strings.ContainsAny(s, " \t\n\"'\\><~|&;$*?#()`") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "`", "\\`", `$`, `\$`)
	return `"` + r.Replace(s) + `"`
}

// xdgDataHome is $XDG_DATA_HOME, else ~/.local/share.
func xdgDataHome() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".local", "share"), nil
}

func newDesktopIntegration(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "desktop-integration",
		Short: "Let the file manager open .wbundle files with Warden's install dialog",
	}
	root.AddCommand(&cobra.Command{
		Use:   "install",
		Short: "Write warden.desktop and the .wbundle MIME type under $XDG_DATA_HOME",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			dataHome, err := xdgDataHome()
			if err != nil {
				return err
			}
			exe, err := os.Executable()
			if err != nil {
				return err
			}
			profile, err := filepath.Abs(g.profile)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			for path, body := range desktopFiles(dataHome, exe, profile) {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					return fmt.Errorf("desktop integration: %w", err)
				}
				if err := atomicfile.WriteFile(path, []byte(body), 0o644); err != nil {
					return fmt.Errorf("desktop integration: %w", err)
				}
				fmt.Fprintf(out, "wrote %s\n", path)
			}
			// The desktop's caches, when their tools are installed; the
			// files above are what matters.
			for _, c := range [][]string{
				{"update-mime-database", filepath.Join(dataHome, "mime")},
				{"update-desktop-database", filepath.Join(dataHome, "applications")},
			} {
				if _, err := exec.LookPath(c[0]); err == nil {
					if b, err := exec.CommandContext(cmd.Context(), c[0], c[1:]...).CombinedOutput(); err != nil {
						fmt.Fprintf(cmd.ErrOrStderr(), "warden: %s: %v: %s\n", c[0], err, b)
					}
				}
			}
			fmt.Fprintln(out, "opening a .wbundle in the file manager now shows Warden's install dialog")
			return nil
		},
	})
	root.AddCommand(&cobra.Command{
		Use:   "uninstall",
		Short: "Remove what desktop-integration install wrote",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			dataHome, err := xdgDataHome()
			if err != nil {
				return err
			}
			for path := range desktopFiles(dataHome, "", "") {
				if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "removed %s\n", path)
			}
			return nil
		},
	})
	return root
}
