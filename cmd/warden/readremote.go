package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/wardenhq/warden"
)

// While `warden run` holds a profile (bbolt lets one process open it), the
// commands that only read it (list, info, audit) are answered by that
// process: the command line sends its command and flags over the control
// socket, and the running warden runs the same command against the
// profile it holds and sends back what it printed.

// readAnnotation marks a command that only reads the profile.
const readAnnotation = "warden.read"

// readOnly marks cmd as a read, answerable by a running warden.
func readOnly(cmd *cobra.Command) *cobra.Command {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[readAnnotation] = "true"
	return cmd
}

// readArgs are the arguments that run cmd again elsewhere: its command
// path, args and the flags the user set, but for the global ones (the
// running process has its own profile and policy).
func readArgs(cmd *cobra.Command, args []string) []string {
	out := strings.Fields(cmd.CommandPath())[1:]
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if cmd.InheritedFlags().Lookup(f.Name) == nil {
			out = append(out, "--"+f.Name+"="+f.Value.String())
		}
	})
	return append(append(out, "--"), args...)
}

// readFromRunning answers a read command through the warden running the
// profile, printing its output.
func readFromRunning(cmd *cobra.Command, g *globals, args []string) error {
	out, err := warden.SendControl(cmd.Context(), g.profile, warden.ControlRequest{Op: "read", Args: readArgs(cmd, args)})
	if err != nil {
		return err
	}
	_, err = io.WriteString(cmd.OutOrStdout(), out)
	return err
}

// serveRead runs the read command args against s, the profile this
// process's `warden run` holds, for another warden process.
func serveRead(ctx context.Context, s *warden.Warden, args []string, out io.Writer) error {
	root := newRootFor(s)
	cmd, _, err := root.Find(args)
	if err != nil || cmd == root || cmd.Annotations[readAnnotation] != "true" {
		return fmt.Errorf("not a command that only reads: %s", strings.Join(args, " "))
	}
	root.SetArgs(slices.Clone(args))
	root.SetOut(out)
	root.SetErr(out)
	return root.ExecuteContext(ctx)
}
