package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/wardenhq/warden/plugins/lint"
)

func newLint() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "lint <dir|bundle> [--json]",
		Short: "Check a plugin before publishing: manifest, CSP, permissions, commands, sizes, icons",
		Long: `lint checks a plugin directory (or a bundle) and prints one finding per line,
as compilers do: file:line: severity: message [rule]. It checks the manifest's
schema and rules, a content_security_policy that would weaken Warden's,
permissions declared but never used or used but not declared (from the page's
warden.invoke calls and the Go backend's guest SDK calls), backend commands
invoked but not in "commands", files near or over a bundle's limits, missing
icons, and a host range that excludes this Warden. It exits 1 when it finds an
error and 0 when it finds only warnings. warden pack runs it first and refuses
a plugin with errors.`,
		Example: `  warden lint examples/notes
  warden lint dev.warden.notes-1.0.0.wbundle --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src := args[0]
			fs, err := lint.Lint(cmd.Context(), src)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			errs, warns := lint.Count(fs)
			if asJSON {
				if fs == nil {
					fs = []lint.Finding{}
				}
				if err := writeJSON(w, lintJSON{Source: src, Errors: errs, Warnings: warns, Findings: fs}); err != nil {
					return err
				}
			} else {
				printFindings(w, src, fs)
				fmt.Fprintf(w, "%s: %s\n", src, lintSummary(errs, warns))
			}
			if errs > 0 {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the findings as JSON")
	return cmd
}

// lintJSON is lint's --json output.
type lintJSON struct {
	Source   string         `json:"source"`
	Errors   int            `json:"errors"`
	Warnings int            `json:"warnings"`
	Findings []lint.Finding `json:"findings"`
}

// printFindings prints one finding per line, naming files so that the
// reader can open them: joined to the plugin directory, or after the
// bundle's name and "!".
func printFindings(w io.Writer, src string, fs []lint.Finding) {
	dir := true
	if fi, err := os.Stat(src); err == nil && !fi.IsDir() {
		dir = false
	}
	for _, f := range fs {
		name := src
		switch {
		case f.File == "":
		case dir:
			name = filepath.Join(src, filepath.FromSlash(f.File))
		default:
			name = src + "!" + f.File
		}
		fmt.Fprintln(w, f.Format(name))
	}
}

func lintSummary(errs, warns int) string {
	if errs == 0 && warns == 0 {
		return "no problems found"
	}
	return fmt.Sprintf("%d %s, %d %s", errs, plural(errs, "error"), warns, plural(warns, "warning"))
}

func plural(n int, s string) string {
	if n == 1 {
		return s
	}
	return s + "s"
}

// lintForPack runs lint on the plugin pack is about to pack and prints
// what it finds to w; an error in it stops pack, warnings do not.
func lintForPack(cmd *cobra.Command, dir string) error {
	fs, err := lint.Lint(cmd.Context(), dir)
	if err != nil {
		return err
	}
	printFindings(cmd.ErrOrStderr(), dir, fs)
	if errs, warns := lint.Count(fs); errs > 0 {
		return fmt.Errorf("pack %s: not packed: lint found %s; fix the errors above and pack again", dir, lintSummary(errs, warns))
	}
	return nil
}
