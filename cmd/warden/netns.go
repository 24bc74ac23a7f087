package main

import (
	"os"

	"github.com/wardenhq/warden/host/window"
	"github.com/wardenhq/warden/plugins/policy"
)

// netnsEnv set to "off" runs webview processes with the host's network,
// for diagnosing a system where WebKit misbehaves in an empty network
// namespace. The window then says so in the log and the audit, and an
// admin's require_network_isolation refuses to open it, as on a system
// without namespaces.
const netnsEnv = "WARDEN_NETNS"

// withNetwork applies $WARDEN_NETNS and the policy's
// require_network_isolation to ui.
func withNetwork(ui window.Options, pol *policy.Policy) window.Options {
	ui.SharedNetwork = os.Getenv(netnsEnv) == "off"
	if pol != nil && pol.RequireNetworkIsolation() {
		ui.RequireNetworkIsolation = true
	}
	return ui
}
