package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/wardenhq/warden/host/ipc"
	"github.com/wardenhq/warden/host/webview"
)

// ipcFD is the inherited socketpair end the core passes to a webview process.
const ipcFD = 3

func newWebviewCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "webview",
		Short:  "Run one plugin window (started by the core; not for direct use)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			f := os.NewFile(ipcFD, "warden-ipc")
			if f == nil {
				return fmt.Errorf("webview: fd %d is not open: this command is started by the core", ipcFD)
			}
			conn := ipc.NewConn(f, 0)
			defer conn.Close()
			err := webview.RunChild(cmd.Context(), conn)
			if errors.Is(err, context.Canceled) {
				// SIGTERM from the core's supervisor: a clean stop.
				return nil
			}
			return err
		},
	}
}
