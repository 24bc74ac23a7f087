package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/host/audit"
	"github.com/wardenhq/warden/plugins/manager"
	"github.com/wardenhq/warden/plugins/store"
)

// withSession runs fn with the profile open.
func withSession(cmd *cobra.Command, g *globals, fn func(ctx context.Context, s *warden.Warden) error) error {
	ctx := cmd.Context()
	if g.running != nil {
		return fn(ctx, g.running)
	}
	if cmd.Annotations[readAnnotation] == "true" {
		// A running warden holds the profile: it answers reads itself.
		if err := readFromRunning(cmd, g, cmd.Flags().Args()); !errors.Is(err, warden.ErrNoRun) {
			return err
		}
	}
	s, err := openSession(ctx, g)
	if err != nil {
		return err
	}
	defer s.Close(ctx)
	return fn(ctx, s)
}

func newList(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List installed plugins with their version and state",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return withSession(cmd, g, func(ctx context.Context, s *warden.Warden) error {
				list, err := s.Plugins().List()
				if err != nil {
					return err
				}
				w := cmd.OutOrStdout()
				if asJSON {
					return writeJSON(w, listJSON(list))
				}
				if len(list) == 0 {
					fmt.Fprintln(w, "no plugins installed")
					return nil
				}
				tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tVERSION\tSTATE\tNAME")
				for _, p := range list {
					state := p.State
					if p.Reason != "" {
						state += ": " + p.Reason
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.ID, p.Version, state, p.Name)
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return readOnly(cmd)
}

// statusJSON is the --json form of a plugin's status.
type statusJSON struct {
	ID       string            `json:"id"`
	Name     string            `json:"name"`
	Version  string            `json:"version"`
	Previous []string          `json:"previous"`
	State    string            `json:"state"`
	Reason   string            `json:"reason,omitempty"`
	Grants   map[string]string `json:"grants"`
	// Denied are the optional permissions the user refused at run time,
	// with when.
	Denied    map[string]string `json:"denied,omitempty"`
	Pending   []string          `json:"pending,omitempty"`
	Signer    string            `json:"signer,omitempty"`
	Source    string            `json:"source,omitempty"`
	Range     string            `json:"range,omitempty"`
	Dir       string            `json:"dir"`
	Installed time.Time         `json:"installed_at"`
	Updated   time.Time         `json:"updated_at"`
	// Reasons are the author's reasons, by permission or scope, as the
	// manifest gives them.
	Reasons map[string]string `json:"reasons,omitempty"`
	// IsolationHooks are the hooks every window of the plugin runs (info
	// only).
	IsolationHooks []hookJSON `json:"isolation_hooks,omitempty"`
}

func toJSON(s manager.Status, dir string) statusJSON {
	g := map[string]string{}
	for k, v := range s.Grants {
		g[k] = v.GrantedAt.Format(time.RFC3339)
	}
	var denied map[string]string
	for k, at := range s.Denied {
		if denied == nil {
			denied = map[string]string{}
		}
		denied[k] = at.Format(time.RFC3339)
	}
	var reasons map[string]string
	for _, p := range s.Asks {
		if p.Reason == "" && len(p.ScopeReasons) == 0 {
			continue
		}
		if reasons == nil {
			reasons = make(map[string]string)
		}
		if p.Reason != "" {
			reasons[p.Name] = p.Reason
		}
		maps.Copy(reasons, p.ScopeReasons)
	}
	return statusJSON{ID: s.ID, Name: s.Name, Version: s.Version, Previous: nonNil(s.Previous), State: s.State, Reason: s.Reason,
		Grants: g, Denied: denied, Pending: s.Pending, Signer: s.Signer, Source: s.Source, Range: s.Range, Reasons: reasons, Dir: dir,
		Installed: s.InstalledAt, Updated: s.UpdatedAt}
}

func listJSON(list []manager.Status) []statusJSON {
	out := make([]statusJSON, 0, len(list))
	for _, s := range list {
		out = append(out, toJSON(s, ""))
	}
	return out
}

func nonNil(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func newInfo(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "info <id>",
		Short: "Show an installed plugin: versions, state, permissions granted and pending",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withSession(cmd, g, func(ctx context.Context, s *warden.Warden) error {
				st, err := s.Plugins().Status(args[0])
				if err != nil {
					return err
				}
				w := cmd.OutOrStdout()
				dir := s.Plugins().Dir(st.Plugin)
				if asJSON {
					j := toJSON(st, dir)
					j.IsolationHooks = hooksJSON(s.Policy())
					return writeJSON(w, j)
				}
				fmt.Fprintf(w, "%s %s (%s)\n", st.Name, st.Version, st.ID)
				if st.Publisher != "" {
					fmt.Fprintf(w, "publisher:  %s\n", st.Publisher)
				}
				state := st.State
				if st.Reason != "" {
					state += ": " + st.Reason
				}
				fmt.Fprintf(w, "state:      %s\n", state)
				fmt.Fprintf(w, "signer:     %s\n", orDash(st.Signer))
				fmt.Fprintf(w, "source:     %s\n", orDash(st.Source))
				if st.Range != "" {
					fmt.Fprintf(w, "range:      %s\n", st.Range)
				}
				fmt.Fprintf(w, "previous:   %s\n", listOr(st.Previous, "-"))
				fmt.Fprintf(w, "installed:  %s\n", st.InstalledAt.Format(time.RFC3339))
				fmt.Fprintf(w, "updated:    %s\n", st.UpdatedAt.Format(time.RFC3339))
				if !st.CrashedAt.IsZero() {
					fmt.Fprintf(w, "crashed:    %s: %s\n", st.CrashedAt.Format(time.RFC3339), st.CrashReason)
				}
				fmt.Fprintf(w, "files:      %s\n", dir)
				fmt.Fprintln(w, "granted:")
				names := make([]string, 0, len(st.Grants))
				for k := range st.Grants {
					names = append(names, k)
				}
				slices.Sort(names)
				for _, n := range names {
					fmt.Fprintf(w, "  %s (since %s)\n", n, st.Grants[n].GrantedAt.Format(time.RFC3339))
					if i := slices.IndexFunc(st.Asks, func(p manager.Permission) bool { return p.Name == n }); i >= 0 {
						printReasons(w, "    ", st.Asks[i])
					}
				}
				if len(names) == 0 {
					fmt.Fprintln(w, "  nothing")
				}
				if len(st.Denied) > 0 {
					fmt.Fprintln(w, "refused when the plugin asked (it is not asked again; warden grant allows, warden revoke forgets the answer):")
					for _, n := range slices.Sorted(maps.Keys(st.Denied)) {
						fmt.Fprintf(w, "  %s (since %s)\n", n, st.Denied[n].Format(time.RFC3339))
					}
				}
				if len(st.Pending) > 0 {
					fmt.Fprintf(w, "pending:    %s (approve with warden grant %s %s)\n", strings.Join(st.Pending, ", "), st.ID, strings.Join(st.Pending, " "))
				}
				fmt.Fprintf(w, "policy:     %s\n", st.Policy.Reason)
				fmt.Fprintf(w, "policies:   %s\n", s.Policy().Source)
				hooks, _ := describeHooks(s.Policy())
				writeHooks(w, "isolation hook", 16, hooks)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return readOnly(cmd)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// recordCmd is a command that changes one plugin and prints its new state.
// When a `warden run` holds the profile, a command with a control request
// (ctl not nil) is carried out by that process, which also closes or opens
// the plugin's window to match.
func recordCmd(g *globals, use, short string, args cobra.PositionalArgs, ctl func(a []string) warden.ControlRequest, fn func(ctx context.Context, s *warden.Warden, args []string) (store.Plugin, string, error)) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  args,
		RunE: func(cmd *cobra.Command, a []string) error {
			if ctl != nil {
				msg, err := warden.SendControl(cmd.Context(), g.profile, ctl(a))
				if !errors.Is(err, warden.ErrNoRun) {
					if err != nil {
						return err
					}
					fmt.Fprintf(cmd.OutOrStdout(), "%s\n%s (applied by the running warden)\n", doneMessage(ctl(a)), msg)
					return nil
				}
			}
			return withSession(cmd, g, func(ctx context.Context, s *warden.Warden) error {
				p, msg, err := fn(ctx, s, a)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s\n%s\n", msg, s.Describe(p.ID))
				return nil
			})
		},
	}
}

// doneMessage is the first line a change command prints.
func doneMessage(req warden.ControlRequest) string {
	switch req.Op {
	case "grant":
		return fmt.Sprintf("granted %s to %s", strings.Join(req.Perms, ", "), req.ID)
	case "revoke":
		return fmt.Sprintf("revoked %s from %s", strings.Join(req.Perms, ", "), req.ID)
	default:
		return req.Op + "d " + req.ID
	}
}

func ctlOp(op string) func(a []string) warden.ControlRequest {
	return func(a []string) warden.ControlRequest { return warden.ControlRequest{Op: op, ID: a[0], Perms: a[1:]} }
}

func newEnable(g *globals) *cobra.Command {
	return recordCmd(g, "enable <id>", "Let a disabled plugin run again", cobra.ExactArgs(1), ctlOp("enable"),
		func(ctx context.Context, s *warden.Warden, a []string) (store.Plugin, string, error) {
			p, err := s.Plugins().Enable(ctx, a[0])
			return p, "enabled " + a[0], err
		})
}

func newDisable(g *globals) *cobra.Command {
	return recordCmd(g, "disable <id>", "Stop a plugin from running without uninstalling it", cobra.ExactArgs(1), ctlOp("disable"),
		func(ctx context.Context, s *warden.Warden, a []string) (store.Plugin, string, error) {
			p, err := s.Plugins().Disable(ctx, a[0], "")
			return p, "disabled " + a[0], err
		})
}

func newGrant(g *globals) *cobra.Command {
	return recordCmd(g, "grant <id> <permission>...", "Approve permissions for a plugin (also approves an update's new ones)", cobra.MinimumNArgs(2), ctlOp("grant"),
		func(ctx context.Context, s *warden.Warden, a []string) (store.Plugin, string, error) {
			p, err := s.Plugins().Grant(ctx, a[0], a[1:])
			return p, fmt.Sprintf("granted %s to %s", strings.Join(a[1:], ", "), a[0]), err
		})
}

func newRevoke(g *globals) *cobra.Command {
	return recordCmd(g, "revoke <id> <permission>...", "Withdraw permissions from a plugin", cobra.MinimumNArgs(2), ctlOp("revoke"),
		func(ctx context.Context, s *warden.Warden, a []string) (store.Plugin, string, error) {
			p, err := s.Plugins().Revoke(ctx, a[0], a[1:])
			return p, fmt.Sprintf("revoked %s from %s", strings.Join(a[1:], ", "), a[0]), err
		})
}

func newRollback(g *globals) *cobra.Command {
	return recordCmd(g, "rollback <id>", "Go back to the plugin's previous version (its data is kept)", cobra.ExactArgs(1), nil,
		func(ctx context.Context, s *warden.Warden, a []string) (store.Plugin, string, error) {
			before, err := s.Store().Get(a[0])
			if err != nil {
				return store.Plugin{}, "", err
			}
			p, err := s.Plugins().Rollback(ctx, a[0])
			return p, fmt.Sprintf("rolled %s back from %s to %s", a[0], before.Version, p.Version), err
		})
}

func newUninstall(g *globals) *cobra.Command {
	var purge bool
	cmd := &cobra.Command{
		Use:   "uninstall <id>",
		Short: "Remove a plugin and its kept versions (--purge also deletes its data)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withSession(cmd, g, func(ctx context.Context, s *warden.Warden) error {
				if err := s.Plugins().Uninstall(ctx, args[0], purge); err != nil {
					return err
				}
				if purge {
					fmt.Fprintf(cmd.OutOrStdout(), "uninstalled %s and deleted its data\n", args[0])
				} else {
					fmt.Fprintf(cmd.OutOrStdout(), "uninstalled %s (its data is kept; uninstall --purge deletes it)\n", args[0])
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&purge, "purge", false, "also delete the plugin's storage, files and website data")
	return cmd
}

func newAudit(g *globals) *cobra.Command {
	var f audit.Filter
	var asJSON bool
	var since time.Duration
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Show the audit log of plugin requests, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return withSession(cmd, g, func(ctx context.Context, s *warden.Warden) error {
				if since > 0 {
					f.Since = time.Now().Add(-since)
				}
				es, err := s.Host().Audit().Query(ctx, f)
				if err != nil {
					return err
				}
				w := cmd.OutOrStdout()
				if asJSON {
					return writeJSON(w, es)
				}
				if len(es) == 0 {
					fmt.Fprintln(w, "no audit entries")
					return nil
				}
				tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "TIME\tPLUGIN\tCOMMAND\tDECISION\tDETAIL")
				for _, e := range es {
					d := "allowed"
					switch {
					case e.Cmd == "warden.crash":
						d = "crashed" // an event, not a decision
					case !e.Allowed:
						d = "denied: " + e.Reason
					}
					if e.Count > 1 {
						d += fmt.Sprintf(" (%d times, last %s)", e.Count, e.Last.Local().Format("15:04:05.000"))
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.Time.Local().Format("2006-01-02 15:04:05.000"), e.Plugin, e.Cmd, d, e.Detail)
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&f.Plugin, "plugin", "", "only this plugin's entries")
	cmd.Flags().BoolVar(&f.DeniedOnly, "denied", false, "only denied requests")
	cmd.Flags().DurationVar(&since, "since", 0, "only entries seen in this last stretch of time, e.g. 10m")
	cmd.Flags().IntVar(&f.Limit, "limit", 50, "at most this many entries")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return readOnly(cmd)
}
