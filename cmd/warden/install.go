package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/plugins/manager"
)

// installFlags are the flags install and update share.
type installFlags struct {
	grants             []string
	pubs               []string
	allowUnsigned      bool
	acceptNewPublisher bool
}

func newInstall(g *globals) *cobra.Command {
	var f installFlags
	var rf registryFlags
	cmd := &cobra.Command{
		Use:   "install <bundle|id[@range]>",
		Short: "Verify a plugin bundle, ask for its permissions and install it",
		Long: `install verifies the bundle (every entry's SHA-256 against the signed list, the
signature against the keys you pass with --pub and the keys the admin trusts),
checks that it supports this host and that the admin policy allows it, shows
the permissions it asks for and installs it only when you approve them all.

On a terminal it asks. In scripts, approve each permission explicitly with
--grant (there is no blanket "yes"): the install is refused if a permission
the plugin asks for is not granted. Refusing leaves nothing behind.

Installing a newer version of an installed plugin updates it: its grants are
kept, and if the new version asks for more permissions it stays disabled
until you approve them with warden grant. The previous version is kept for
warden rollback.

An installed plugin is bound to the key its signature was verified with (from
--pub, the admin's trusted keys, or the installed version): a newer version
signed by another key, unsigned, or whose signature does not verify is
refused, since someone other than the publisher may have made it. If you
trust the new publisher, pass --accept-new-publisher: the new version is then
installed as a new plugin (its grants are not kept; you approve its
permissions again), and it gets the data the plugin stored. A signature that
no key you trust verifies counts as no signature. When the admin policy
requires signatures, only the policy's keys count; --pub cannot make a
bundle trusted.

Given a plugin id (optionally @range, such as @^1 or @1.4.2) instead of a file,
install reads the registry's signed index (--registry, --registry-key, then
remembered in the profile), picks the highest version in the range that this
host supports and the admin policy allows, downloads it with its SHA-256
checked against the index, and installs it the same way.`,
		Example: `  warden install notes-1.2.0.wbundle --pub publisher.pub
  warden install notes-1.2.0.wbundle --pub publisher.pub --grant storage --grant http
  warden install com.example.notes@^1 --registry https://plugins.example.com/ --registry-key registry.pub`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := os.Stat(args[0]); err != nil && !strings.ContainsAny(args[0], "/\\") && !strings.HasSuffix(args[0], ".wbundle") {
				return installFromRegistry(cmd, g, args[0], f, rf)
			}
			return runInstall(cmd, g, args[0], f)
		},
	}
	addInstallFlags(cmd, &f)
	addRegistryFlags(cmd, &rf)
	return cmd
}

func addInstallFlags(cmd *cobra.Command, f *installFlags) {
	cmd.Flags().StringArrayVar(&f.grants, "grant", nil, "approve this permission (repeat for each; for scripts)")
	cmd.Flags().StringArrayVar(&f.pubs, "pub", nil, "publisher public key file to verify the signature with (repeatable)")
	cmd.Flags().BoolVar(&f.allowUnsigned, "allow-unsigned", false, "install a bundle that has no signature, or one no key you trust verifies")
	addAcceptFlag(cmd, f)
}

func addAcceptFlag(cmd *cobra.Command, f *installFlags) {
	cmd.Flags().BoolVar(&f.acceptNewPublisher, "accept-new-publisher", false, "let a version signed by another key (or unsigned) replace the installed one, as a new install that asks for its permissions again")
}

func runInstall(cmd *cobra.Command, g *globals, path string, f installFlags) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("install %s: %w (give a bundle file made by warden pack)", path, err)
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return installWith(cmd, g, f, func(ctx context.Context, s *warden.Warden, opts manager.InstallOptions) (manager.Result, error) {
		opts.Source = path
		return s.Plugins().Install(ctx, path, opts)
	})
}

// installWith opens the profile and runs one install with the options the
// flags give (consent, publisher keys, unsigned), then prints the result.
func installWith(cmd *cobra.Command, g *globals, f installFlags, install func(context.Context, *warden.Warden, manager.InstallOptions) (manager.Result, error)) error {
	ctx := cmd.Context()
	keys, err := loadPublicKeys(f.pubs)
	if err != nil {
		return err
	}
	s, err := openSession(ctx, g)
	if err != nil {
		return err
	}
	defer s.Close(ctx)
	res, err := install(ctx, s, manager.InstallOptions{Consent: consentFor(cmd, f.grants), Keys: keys, AllowUnsigned: f.allowUnsigned, AcceptNewPublisher: f.acceptNewPublisher})
	if err != nil {
		return err
	}
	printResult(cmd.OutOrStdout(), res)
	return nil
}

// printResult says what an install or update did.
func printResult(w io.Writer, res manager.Result) {
	p := res.Plugin
	if res.NewPublisher {
		fmt.Fprintf(w, "replaced %s %s with %s from a new publisher, %s\n", p.ID, res.From, p.Version, res.Signer)
	} else if res.Updated {
		fmt.Fprintf(w, "updated %s %s -> %s, %s\n", p.ID, res.From, p.Version, res.Signer)
	} else {
		fmt.Fprintf(w, "installed %s %s, %s\n", p.ID, p.Version, res.Signer)
	}
	if len(res.Pending) > 0 {
		fmt.Fprintf(w, "disabled until you approve the new permissions: warden grant %s %s\n", p.ID, strings.Join(res.Pending, " "))
	}
}

// consentFor returns the consent step: the --grant list when given (each
// permission the plugin asks for must be in it), else a prompt on the
// terminal, else a refusal that says how to approve.
func consentFor(cmd *cobra.Command, grants []string) manager.Consent {
	return func(ctx context.Context, req manager.ConsentRequest) error {
		w := cmd.OutOrStdout()
		showConsent(w, req)
		asked := make([]string, len(req.Permissions))
		for i, p := range req.Permissions {
			asked[i] = p.Name
		}
		if cmd.Flags().Changed("grant") {
			for _, gr := range grants {
				if !slices.Contains(asked, gr) {
					return fmt.Errorf("%w: --grant %s: %s does not ask for it (it asks for: %s)", manager.ErrConsentRefused, gr, req.ID, listOr(asked, "nothing"))
				}
			}
			var missing []string
			for _, a := range asked {
				if !slices.Contains(grants, a) {
					missing = append(missing, a)
				}
			}
			if len(missing) > 0 {
				return fmt.Errorf("%w: not granted: %s (add --grant %s)", manager.ErrConsentRefused, strings.Join(missing, ", "), strings.Join(missing, " --grant "))
			}
			fmt.Fprintln(w, "approved by --grant")
			return nil
		}
		in, ok := cmd.InOrStdin().(*os.File)
		if !ok || !isTerminal(in) {
			if len(asked) == 0 {
				return nil // nothing to approve, and nobody to ask
			}
			return fmt.Errorf("%w: no terminal to ask on; approve with --grant %s", manager.ErrConsentRefused, strings.Join(asked, " --grant "))
		}
		fmt.Fprint(w, "Install it? [y/N] ")
		line, err := bufio.NewReader(in).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("%w: %w", manager.ErrConsentRefused, err)
		}
		if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
			return manager.ErrConsentRefused
		}
		return nil
	}
}

// showConsent prints the consent screen.
func showConsent(w io.Writer, req manager.ConsentRequest) {
	fmt.Fprintf(w, "%s %s (%s)", req.Name, req.Version, req.ID)
	if req.Publisher != "" {
		fmt.Fprintf(w, " by %s", req.Publisher)
	}
	fmt.Fprintf(w, "\n%s\n", req.Signer)
	if req.Replaces != "" {
		fmt.Fprintf(w, "WARNING: this replaces %s: a different publisher. It gets the data the plugin stored, and none of the permissions you granted before.\n", req.Replaces)
	}
	if len(req.Permissions) == 0 {
		fmt.Fprintln(w, "It asks for no permissions.")
	} else {
		fmt.Fprintln(w, "It asks to:")
		for _, p := range req.Permissions {
			printPermission(w, p)
		}
	}
	if len(req.Optional) > 0 {
		fmt.Fprintln(w, "It may ask later to:")
		for _, p := range req.Optional {
			printPermission(w, p)
		}
	}
}

func printPermission(w io.Writer, p manager.Permission) {
	fmt.Fprintf(w, "  - %s (%s)", p.Description, p.Name)
	if len(p.Scopes) > 0 {
		fmt.Fprintf(w, ": %s", strings.Join(p.Scopes, ", "))
	}
	fmt.Fprintln(w)
	printReasons(w, "      ", p)
}

// printReasons prints the author's reasons for p and its scopes, each on
// its own line after indent. They are the author's words, quoted as they
// are and never presented as Warden's (the manifest refuses control
// characters in them).
func printReasons(w io.Writer, indent string, p manager.Permission) {
	if p.Reason != "" {
		fmt.Fprintf(w, "%sthe author says: \"%s\"\n", indent, p.Reason)
	}
	for _, s := range p.Scopes {
		if r, ok := p.ScopeReasons[s]; ok {
			fmt.Fprintf(w, "%sfor %s, the author says: \"%s\"\n", indent, s, r)
		}
	}
}

func listOr(ss []string, none string) string {
	if len(ss) == 0 {
		return none
	}
	return strings.Join(ss, ", ")
}
