package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/spf13/cobra"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/host/managerwin"
	"github.com/wardenhq/warden/host/window"
	"github.com/wardenhq/warden/plugins/policy"
)

func newRun(g *globals) *cobra.Command {
	var debug, all bool
	cmd := &cobra.Command{
		Use:   "run [<id>... | --all]",
		Short: "Run installed plugins, each in its own window, under the live admin policy",
		Long: `run opens the windows of the installed plugins named (every enabled one with
--all) with the permissions the user granted. With neither, it opens the
manager window, and plugin windows open when you open them there. It watches the admin's
policy file and the user's own (--policy), which applies on top and can only
add restrictions: a change that blocks a running plugin stops it within a
second, with the policy's reason, and a later change that allows it again
starts it again. A policy file that does not parse leaves its last good
policy in force and says so. Every window runs the isolation hooks the
policies name; a hook whose file does not match its pinned SHA-256 keeps
every window closed, saying why, until a policy change brings one that
does, and a changed hook restarts the windows. While it runs, other warden
commands work as usual: list, info and audit are answered by it, and
grant, revoke, enable and disable are carried out by it, which opens or
closes the plugin's window to match. run ends when every window was closed
or on Ctrl-C.`,
		Example: `  warden run dev.warden.notes
  warden run --all --policy ./policy.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && !all {
				// Nothing named: plugins start when the user asks, from
				// the manager.
				return untilInterrupted(cmd.Context(), runManagerWindow(cmd, g, managerwin.Options{}, ""))
			}
			if len(args) > 0 && all {
				return errors.New("run: name plugins or give --all, not both")
			}
			return untilInterrupted(cmd.Context(), runRun(cmd, g, args, window.Options{Debug: debug, Stderr: os.Stderr, Spare: true}))
		},
	}
	cmd.Flags().BoolVar(&debug, "debug", false, "log the pages' console and enable the inspector")
	cmd.Flags().BoolVar(&all, "all", false, "open every enabled plugin's window at once")
	return cmd
}

func runRun(cmd *cobra.Command, g *globals, ids []string, ui window.Options) error {
	ctx := cmd.Context()
	// A warden already running this profile (the manager, another run)
	// opens the windows itself.
	for i, id := range ids {
		msg, err := warden.SendControl(ctx, g.profile, warden.ControlRequest{Op: "open", ID: id})
		if errors.Is(err, warden.ErrNoRun) && i == 0 {
			break
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "%s (opened by the running warden)\n", msg)
		if i == len(ids)-1 {
			return nil
		}
	}
	pol, err := loadPolicy(g)
	if err != nil {
		return err
	}
	s, err := warden.Open(ctx, warden.Config{Profile: g.profile, CacheDir: cacheDir(), Policy: pol, Window: cliWindow(ui)})
	if err != nil {
		return err
	}
	defer s.Close(context.Background()) // ctx is done after Ctrl-C: the audit log must still be flushed
	out := cmd.ErrOrStderr()
	if len(ids) == 0 {
		list, err := s.Plugins().List()
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
	stop, err := holdProfile(ctx, g, s, out, func() {
		for _, id := range ids {
			if why := s.Blocked(id); why != "" {
				fmt.Fprintf(out, "warden: %s is not running: %s\n", id, why)
			} else if s.Running(id) {
				fmt.Fprintf(out, "warden: %s is running\n", id)
			}
		}
	})
	if err != nil {
		return err
	}
	defer stop()
	started := 0
	for _, id := range ids {
		if err := s.Run(ctx, id); err != nil {
			if errors.Is(err, window.ErrNoDisplay) {
				return err // the same for every plugin: say it once, and end
			}
			fmt.Fprintf(out, "warden: %v\n", err)
			continue
		}
		started++
		fmt.Fprintf(out, "warden: %s is running\n", id)
	}
	if started == 0 && !anyBlockedByPolicy(s, ids) && s.HookError() == nil {
		return errors.New("no plugin could start")
	}
	fmt.Fprintln(out, "warden: close the windows or press Ctrl-C to stop")
	// Until every window was closed by the user: a window the policy or a
	// command (disable, revoke) stopped may come back.
	return s.Wait(ctx)
}

// anyBlockedByPolicy reports whether a later policy could start one of ids.
func anyBlockedByPolicy(s *warden.Warden, ids []string) bool {
	return slices.ContainsFunc(ids, func(id string) bool {
		st, err := s.Plugins().Status(id)
		return err == nil && st.State == "blocked"
	})
}

// holdProfile is what a process that runs windows on profile s does while
// it holds it: it applies each change of the admin's and the user's
// policy files at once (then report, when not nil, says how the plugins
// stand), and carries out other warden commands sent to the control
// socket. stop ends both.
func holdProfile(ctx context.Context, g *globals, s *warden.Warden, out io.Writer, report func()) (stop func(), err error) {
	pw, err := policy.WatchLayered(ctx, managedPolicyPath, userPolicyPath(g), func(p *policy.Policy) {
		fmt.Fprintf(out, "warden: policy changed (%s); applying it\n", p.Source)
		if err := s.SetPolicy(ctx, p); err != nil {
			fmt.Fprintf(out, "warden: %v\n", err)
		}
		if report != nil {
			report()
		}
	})
	if err != nil {
		return nil, err
	}
	stopControl, err := s.ServeControl(ctx, func(ctx context.Context, args []string, out io.Writer) error {
		return serveRead(ctx, s, args, out)
	})
	if err != nil {
		pw.Close()
		return nil, err
	}
	return func() { stopControl(); pw.Close() }, nil
}
