package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/isolation"
	"github.com/wardenhq/warden/manifest"
	"github.com/wardenhq/warden/permissions"
)

func newCall(g *globals) *cobra.Command {
	var grants []string
	var grantSet bool
	cmd := &cobra.Command{
		Use:   "call <plugin-dir|installed-id> <command> [json-args]",
		Short: "Run one request of a plugin through the whole mediator and print the reply",
		Long: `call loads the plugin in <plugin-dir> (building its Go backend first when the
sources are newer than the .wasm), seals the request exactly as the plugin's
isolation frame would, and passes it through the core: envelope, decision,
capability or backend, audit. It prints the result as JSON, or the denial with
its reason and exits 1.

Run from a source directory (developer mode), the plugin gets every
permission its manifest declares; --grant limits that to the listed ones.
The admin policy still applies: it can turn developer mode off, and a plugin
it blocks, or one asking for a permission it blocks, is refused. While a
policy names an isolation hook, call is refused: it has no isolation frame
to run the hook in.`,
		Example: `  warden call examples/hello backend.greet '"Ada"'
  warden call examples/notes storage.list '{}' --grant storage`,
		Args: cobra.RangeArgs(2, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			grantSet = cmd.Flags().Changed("grant")
			var raw json.RawMessage
			if len(args) == 3 {
				if !json.Valid([]byte(args[2])) {
					return fmt.Errorf("json-args %q is not JSON: quote strings, e.g. '\"Ada\"'", args[2])
				}
				raw = json.RawMessage(args[2])
			}
			return runCall(cmd, g, args[0], args[1], raw, grants, grantSet)
		},
	}
	cmd.Flags().StringSliceVar(&grants, "grant", nil, "grant only these declared permissions (comma-separated); default: all declared")
	return cmd
}

func runCall(cmd *cobra.Command, g *globals, dir, command string, args json.RawMessage, grantList []string, grantSet bool) error {
	ctx := cmd.Context()
	if fi, err := os.Stat(dir); (err != nil || !fi.IsDir()) && !grantSet && manifest.ValidID(dir) {
		return callInstalled(cmd, g, dir, command, args)
	}
	pol, err := loadPolicy(g)
	if err != nil {
		return err
	}
	if err := refuseCallUnderHook(pol); err != nil {
		return err
	}
	m, err := warden.CheckSource(ctx, pol, dir)
	if err != nil {
		return err
	}
	grants := host.GrantAll(m)
	if grantSet {
		grants = permissions.Grants{}
		for _, name := range grantList {
			if !slices.Contains(m.Permissions, name) {
				return fmt.Errorf("--grant %s: the manifest of %s does not declare it (declared: %s)", name, m.ID, strings.Join(m.Permissions, ", "))
			}
			grants[name] = permissions.Grant{Permission: name, GrantedAt: time.Now().UTC()}
		}
	}

	w, err := warden.Open(ctx, warden.Config{Profile: g.profile, CacheDir: cacheDir(), Policy: pol})
	if err != nil {
		return err
	}
	defer w.Close(ctx)
	p, err := w.LoadSource(ctx, dir, grants)
	if err != nil {
		return err
	}
	launch, key, err := p.Launch()
	if err != nil {
		return err
	}
	launch.OnEvent(func(e host.Event) {
		fmt.Fprintf(cmd.ErrOrStderr(), "event %s: %s\n", e.Name, e.Payload)
	})
	env, err := isolation.Seal(key, p.ID(), launch.ID(), isolation.Request{Seq: 1, ID: 1, Cmd: command, Args: args})
	if err != nil {
		return err
	}
	rep := w.Host().Invoke(ctx, launch, env)
	return printReply(cmd.OutOrStdout(), cmd.ErrOrStderr(), &rep)
}

// callInstalled runs one request of the installed plugin id, with the
// grants the user gave it and under the admin policy.
func callInstalled(cmd *cobra.Command, g *globals, id, command string, args json.RawMessage) error {
	ctx := cmd.Context()
	s, err := openSession(ctx, g)
	if err != nil {
		return err
	}
	defer s.Close(ctx)
	if err := refuseCallUnderHook(s.Policy()); err != nil {
		return err
	}
	st, err := s.Plugins().Status(id)
	if err != nil {
		return fmt.Errorf("call %s: %w (give a plugin directory or an installed plugin's id)", id, err)
	}
	if !st.Runnable {
		return fmt.Errorf("call %s: it is %s: %s", id, st.State, st.Reason)
	}
	p, err := s.Host().Load(ctx, s.Plugins().Dir(st.Plugin), host.LoadOptions{Grants: st.Grants, Denied: st.DeniedNames(), Ceiling: s.Policy().PermissionCeiling()})
	if err != nil {
		return err
	}
	launch, key, err := p.Launch()
	if err != nil {
		return err
	}
	env, err := isolation.Seal(key, p.ID(), launch.ID(), isolation.Request{Seq: 1, ID: 1, Cmd: command, Args: args})
	if err != nil {
		return err
	}
	rep := s.Host().Invoke(ctx, launch, env)
	return printReply(cmd.OutOrStdout(), cmd.ErrOrStderr(), &rep)
}

func printReply(stdout, stderr io.Writer, rep *host.Reply) error {
	if rep.OK {
		if len(rep.Result) == 0 {
			fmt.Fprintln(stdout, "null")
		} else {
			fmt.Fprintln(stdout, string(rep.Result))
		}
		return nil
	}
	word := "failed"
	if rep.Denied() {
		word = "denied"
	}
	fmt.Fprintf(stderr, "%s (%s): %s\n", word, rep.Error.Code, rep.Error.Message)
	return &exitError{code: 1}
}
