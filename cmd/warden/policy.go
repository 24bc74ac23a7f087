package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wardenhq/warden/plugins/policy"
)

// policyEnv names the environment variable that gives a policy file of
// the user's own, like --policy.
const policyEnv = "WARDEN_POLICY"

// managedPolicyPath is where the admin's policy is read. It always applies
// when the file exists; --policy and $WARDEN_POLICY only add a second layer
// on top (see policy.Combine). It is a variable, not a constant, only so
// that this package's tests can point it at a temporary file: the warden
// binary has no flag or environment variable that changes it, and only the
// test binary's TestMain sets it.
var managedPolicyPath = policy.DefaultPath

// defaultPolicyPath is $WARDEN_POLICY: the user's own policy layer, or ""
// for none.
func defaultPolicyPath() string { return os.Getenv(policyEnv) }

// userPolicyPath is the user's policy layer named by --policy or
// $WARDEN_POLICY, or "" when there is none or it names the managed file.
func userPolicyPath(g *globals) string {
	if g.policy == "" || filepath.Clean(g.policy) == filepath.Clean(managedPolicyPath) {
		return ""
	}
	return g.policy
}

// loadPolicy reads the admin's managed policy and the user's policy layer,
// if any, and returns their combination: the stricter rule wins. A file
// that does not parse is an error, so every command that runs or changes
// plugins fails closed.
func loadPolicy(g *globals) (*policy.Policy, error) {
	managed, err := policy.Load(managedPolicyPath)
	if err != nil {
		return nil, fmt.Errorf("admin policy: %w (the admin must fix %s; until then no plugin can be installed or run)", err, managedPolicyPath)
	}
	path := userPolicyPath(g)
	if path == "" {
		return managed, nil
	}
	user, err := policy.Load(path)
	if err != nil {
		return nil, fmt.Errorf("policy given by --policy or $%s: %w (fix the file or leave it out)", policyEnv, err)
	}
	return policy.Combine(managed, user), nil
}

func newPolicyCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Check an admin policy file and explain what it decides for a plugin",
		Long: `The admin policy decides which plugins and versions may run, which publisher
keys are trusted, which permissions are blocked and the resource ceilings.
The admin's policy at ` + policy.DefaultPath + ` always applies. A policy file given with
--policy (or $` + policyEnv + `) is applied on top of it and can only add restrictions:
a plugin must be allowed by both, and the stricter setting wins. warden run
applies changes to either file within a second.`,
	}
	cmd.AddCommand(newPolicyCheck(g), newPolicyExplain(g))
	return cmd
}

func newPolicyCheck(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "check [file]",
		Short: "Validate a policy file and summarise it",
		Long: `check parses one policy file (the argument, else --policy, else the admin's
policy at ` + policy.DefaultPath + `) strictly and prints a summary: the default, the
plugin entries, the trusted keys with their ids, the blocked permissions, the
ceilings, network isolation, developer mode and the isolation hook, then any
warnings. The hook's file is read and checked against its pinned SHA-256 (a
regular file of at most 256 KiB of UTF-8 text): one that cannot be used is
an error, and check exits 1, since no plugin window would open. If the file
is invalid it prints every problem with its line, column and field, and
exits 1. Use explain to see what the admin's policy and yours decide together.`,
		Example: `  warden policy check /etc/warden/policy.json
  warden policy check --policy ./policy.json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			file := g.policy
			if file == "" {
				file = managedPolicyPath
			}
			if len(args) == 1 {
				file = args[0]
			}
			return runPolicyCheck(cmd.OutOrStdout(), cmd.ErrOrStderr(), file)
		},
	}
}

func runPolicyCheck(stdout, stderr io.Writer, file string) error {
	p, err := policy.Load(file)
	if err == nil && p.Missing {
		err = fmt.Errorf("%s does not exist; write a policy there or pass another file", file)
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: invalid\n", file)
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintln(stderr, "  "+line)
		}
		return &exitError{code: 1}
	}
	fmt.Fprintf(stdout, "%s: valid\n", file)
	w := func(label, value string) { fmt.Fprintf(stdout, "%-21s%s\n", label+":", value) }
	if d := p.Description(); d != "" {
		w("description", d)
	}
	w("default", string(p.Default()))
	entries := p.Entries()
	w("plugin entries", fmt.Sprint(len(entries)))
	for _, e := range entries {
		fmt.Fprintf(stdout, "  %s: %s\n", e.Rule(), describeEntry(e))
	}
	w("require signatures", yesNo(p.RequireSignatures()))
	keys := p.TrustedKeys()
	w("trusted keys", fmt.Sprint(len(keys)))
	for _, k := range keys {
		fmt.Fprintf(stdout, "  %s  %s\n", k.ID, k.Encoded)
	}
	blocked := "none"
	if b := p.BlockedPermissions(); len(b) > 0 {
		blocked = strings.Join(b, ", ")
	}
	w("blocked permissions", blocked)
	w("ceilings", p.Ceilings().String())
	w("network isolation", requiredOrNot(p.RequireNetworkIsolation()))
	w("developer mode", onOff(p.DeveloperMode()))
	hooks, hookErrs := describeHooks(p)
	writeHooks(stdout, "isolation hook", 21, hooks)
	for _, warning := range p.Warnings() {
		fmt.Fprintln(stderr, "warning: "+warning)
	}
	for _, err := range hookErrs {
		fmt.Fprintln(stderr, "error: "+err.Error())
	}
	if len(hookErrs) > 0 {
		return &exitError{code: 1}
	}
	return nil
}

// describeEntry summarises what an entry allows.
func describeEntry(e policy.Entry) string {
	if !e.Allow {
		if e.Reason != "" {
			return "block (" + e.Reason + ")"
		}
		return "block"
	}
	var parts []string
	if e.Pin != "" {
		parts = append(parts, "pin "+e.Pin)
	}
	if e.Versions != "" {
		parts = append(parts, "versions "+e.Versions)
	}
	if e.MinVersion != "" {
		parts = append(parts, "at least "+e.MinVersion)
	}
	if len(parts) == 0 {
		parts = append(parts, "any version")
	}
	s := "allow, " + strings.Join(parts, ", ")
	if e.Reason != "" {
		s += " (" + e.Reason + ")"
	}
	return s
}

func requiredOrNot(b bool) string {
	if b {
		return "required"
	}
	return "not required"
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func newPolicyExplain(g *globals) *cobra.Command {
	var version, signer string
	var perms []string
	cmd := &cobra.Command{
		Use:   "explain <plugin-id>",
		Short: "Say how the policy treats a plugin, and decide for one version",
		Long: `explain prints which policy entry applies to the plugin (the most specific
match: an exact id wins over patterns, a longer pattern over a shorter one),
whether it may run, which versions are allowed, the signature requirement,
the blocked permissions, the ceilings, network isolation and developer mode.
With a policy of your own (--policy or $` + policyEnv + `) it explains the admin's
policy and yours one after the other, then what is in force: both apply and
the stricter setting wins.

With --version it also prints the decision for that version, taking
--permission and --signer into account: a policy that requires signatures
refuses a version when --signer is not given. Without --version, when the
plugin is installed in the profile, it decides for the installed version
with its recorded signer and the permissions its manifest asks for.`,
		Example: `  warden policy explain com.example.notes
  warden policy explain com.example.notes --version 1.9.0 --signer F0953E553CBACCC0 --permission storage`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := loadPolicy(g)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			for _, line := range p.Explain(args[0]) {
				fmt.Fprintln(out, line)
			}
			if !cmd.Flags().Changed("version") {
				explainInstalled(cmd, g, p, args[0])
				return nil
			}
			// --signer names a key by id; decide as for a bundle signed by
			// the trusted key with that id, if there is one.
			tk, _ := p.TrustedKey(signer)
			d := p.Check(policy.Candidate{ID: args[0], Version: version, Permissions: perms, Signed: signer != "", SignerKey: tk.Encoded, SignerKeyID: signer})
			if d.Allowed {
				fmt.Fprintf(out, "decision for %s: allowed (%s)\n", version, d.Rule)
				return nil
			}
			line := fmt.Sprintf("decision for %s: blocked (%s): %s", version, d.Rule, d.Reason)
			if signer == "" && errors.Is(d.Err(), policy.ErrUnsigned) {
				line += "; pass --signer KEYID to decide for a bundle signed by that key"
			}
			fmt.Fprintln(out, line)
			return nil
		},
	}
	cmd.Flags().StringVar(&version, "version", "", "decide for this plugin version")
	cmd.Flags().StringVar(&signer, "signer", "", "with --version: the bundle is signed by this key id (16 hex digits, as minisign prints it)")
	cmd.Flags().StringSliceVar(&perms, "permission", nil, "with --version: permissions the plugin asks for (repeat or comma-separate)")
	return cmd
}

// explainInstalled prints the policy's decision for the installed version
// of id, if the profile has it. It says nothing when it has not.
func explainInstalled(cmd *cobra.Command, g *globals, p *policy.Policy, id string) {
	ctx := cmd.Context()
	if _, err := os.Stat(filepath.Join(g.profile, "state.db")); err != nil {
		return
	}
	s, err := openSession(ctx, g)
	if err != nil {
		fmt.Fprintf(cmd.ErrOrStderr(), "warden: cannot read the installed plugins: %v\n", err)
		return
	}
	defer s.Close(ctx)
	s.SetPolicy(ctx, p)
	st, err := s.Plugins().Status(id)
	if err != nil {
		return
	}
	signer := "unsigned or not verified"
	if st.Signer != "" {
		signer = "signed by " + st.Signer
	}
	if st.Policy.Allowed {
		fmt.Fprintf(cmd.OutOrStdout(), "installed %s (%s): allowed (%s)\n", st.Version, signer, st.Policy.Rule)
		return
	}
	fmt.Fprintf(cmd.OutOrStdout(), "installed %s (%s): blocked (%s): %s\n", st.Version, signer, st.Policy.Rule, st.Policy.Reason)
}
