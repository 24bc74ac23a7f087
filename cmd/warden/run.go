package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardenhq/warden/host/supervise"
	"github.com/wardenhq/warden/host/window"
	"github.com/wardenhq/warden/plugins/manager"
	"github.com/wardenhq/warden/plugins/policy"
)

func newRun(g *globals) *cobra.Command {
	var debug bool
	cmd := &cobra.Command{
		Use:   "run <id>...",
		Short: "Run installed plugins, each in its own window, under the live admin policy",
		Long: `run opens the windows of the installed plugins named (every enabled one when
none is named) with the permissions the user granted. It watches the admin's
policy file and the user's own (--policy), which applies on top and can only
add restrictions: a change that blocks a running plugin stops it within a
second, with the policy's reason, and a later change that allows it again
starts it again. A policy file that does not parse leaves its last good
policy in force and says so. run ends when every window was closed or on
Ctrl-C.`,
		Example: `  warden run dev.warden.notes
  warden run --policy ./policy.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRun(cmd, g, args, withNetwork(window.Options{Debug: debug, Stderr: os.Stderr}, nil))
		},
	}
	cmd.Flags().BoolVar(&debug, "debug", false, "log the pages' console and enable the inspector")
	return cmd
}

func runRun(cmd *cobra.Command, g *globals, ids []string, ui window.Options) error {
	ctx := cmd.Context()
	s, err := openSession(ctx, g)
	if err != nil {
		return err
	}
	defer s.Close(ctx)
	out := cmd.ErrOrStderr()
	if len(ids) == 0 {
		list, err := s.m.List()
		if err != nil {
			return err
		}
		for _, p := range list {
			if p.Enabled {
				ids = append(ids, p.ID)
			}
		}
		if len(ids) == 0 {
			return fmt.Errorf("no enabled plugins installed (warden install <bundle>)")
		}
	}
	wins, err := window.NewManager(s.h, supervise.Policy{})
	if err != nil {
		return err
	}
	r := manager.NewRunner(s.h, wins, s.m, s.pol.Load(), ui, nil)
	w, err := policy.WatchLayered(ctx, managedPolicyPath, userPolicyPath(g), func(p *policy.Policy) {
		s.pol.Store(p)
		fmt.Fprintf(out, "warden: policy changed (%s); applying it\n", p.Source)
		if err := r.SetPolicy(ctx, p); err != nil {
			fmt.Fprintf(out, "warden: %v\n", err)
		}
		for _, id := range ids {
			if why := r.Blocked(id); why != "" {
				fmt.Fprintf(out, "warden: %s is not running: %s\n", id, why)
			} else if r.Running(id) {
				fmt.Fprintf(out, "warden: %s is running\n", id)
			}
		}
	})
	if err != nil {
		return err
	}
	defer w.Close()
	stopControl, err := serveControl(ctx, s, r)
	if err != nil {
		return err
	}
	defer stopControl()
	started := 0
	for _, id := range ids {
		if err := r.Start(ctx, id); err != nil {
			fmt.Fprintf(out, "warden: %v\n", err)
			continue
		}
		started++
		fmt.Fprintf(out, "warden: %s is running\n", id)
	}
	if started == 0 && !anyBlockedByPolicy(s, ids) {
		return errors.New("no plugin could start")
	}
	fmt.Fprintln(out, "warden: close the windows or press Ctrl-C to stop")
	// Until every window was closed by the user: a window the policy or a
	// command (disable, revoke) stopped may come back.
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		open := false
		for _, id := range ids {
			st := wins.State(id)
			if r.Running(id) && !errors.Is(st.Err, supervise.ErrClosed) || mayComeBack(s, id) {
				open = true
			}
		}
		if !open {
			return nil
		}
	}
}

// mayComeBack reports whether plugin id is kept from running by the policy
// or by being disabled, either of which a later change can undo.
func mayComeBack(s *session, id string) bool {
	st := stateOf(s, id)
	return st == "blocked" || st == "disabled"
}

// anyBlockedByPolicy reports whether a later policy could start one of ids.
func anyBlockedByPolicy(s *session, ids []string) bool {
	return slices.ContainsFunc(ids, func(id string) bool { return stateOf(s, id) == "blocked" })
}

// stateOf is plugin id's state ("enabled", "disabled", "blocked", ...),
// or "" when it cannot be read.
func stateOf(s *session, id string) string {
	st, err := s.m.Status(id)
	if err != nil {
		return ""
	}
	return st.State
}
