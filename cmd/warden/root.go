package main

import (
	"log/slog"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/host/managerwin"
	"github.com/wardenhq/warden/plugins/policy"
)

// globals are the flags every command takes.
type globals struct {
	profile string
	policy  string // the user's policy layer; "" for none
	verbose bool
	// running is the profile a `warden run` of this process holds, when
	// this command line answers a read asked over its control socket.
	running *warden.Warden
}

func newRoot() *cobra.Command { return newRootFor(nil) }

// newRootFor is the command line; running, when not nil, is the open
// profile every command that reads it uses (see serveRead).
func newRootFor(running *warden.Warden) *cobra.Command {
	g := &globals{running: running}
	root := &cobra.Command{
		Use:           "warden",
		Short:         "Warden runs desktop plugins with a web UI and a sandboxed WebAssembly backend",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRun: func(cmd *cobra.Command, args []string) {
			if g.running != nil {
				return // the running process's log stays as it is
			}
			level := slog.LevelWarn
			if g.verbose {
				level = slog.LevelDebug
			}
			slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
		},
	}
	root.PersistentFlags().StringVar(&g.profile, "profile", defaultProfile(), "profile directory (state, cache, plugin data)")
	root.PersistentFlags().StringVar(&g.policy, "policy", defaultPolicyPath(), "a policy file of your own, applied on top of the admin's "+policy.DefaultPath+"; it can only add restrictions (env "+policyEnv+")")
	root.PersistentFlags().BoolVarP(&g.verbose, "verbose", "v", false, "log what the host does")
	// With no command, warden opens its manager window.
	root.Args = cobra.NoArgs
	root.RunE = func(cmd *cobra.Command, args []string) error {
		return untilInterrupted(cmd.Context(), runManagerWindow(cmd, g, managerwin.Options{}, ""))
	}
	addVersion(root)
	root.AddCommand(newCall(g), newOpen(g), newDev(g), newDemo(g), newPolicyCmd(g), newInstall(g), newList(g), newInfo(g), newEnable(g), newDisable(g), newGrant(g), newRevoke(g), newRollback(g), newUninstall(g), newAudit(g), newRun(g), newUpdate(g), newManagerCmd(g), newDesktopIntegration(g), newRegistryCmd(), newKeygen(), newPack(), newSign(), newVerify(), newNew(), newBuild(), newLint())
	return root
}

// defaultProfile is $XDG_DATA_HOME/warden, falling back to ~/.local/share/warden.
func defaultProfile() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "warden")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ".warden"
	}
	return filepath.Join(home, ".local", "share", "warden")
}

// cacheDirEnv names the environment variable that moves the compilation
// cache out of the profile: profiles (or test runs) may share one cache.
const cacheDirEnv = "WARDEN_CACHE_DIR"

// cacheDir is $WARDEN_CACHE_DIR: the compilation cache, when set (else
// the profile's own).
func cacheDir() string { return os.Getenv(cacheDirEnv) }
