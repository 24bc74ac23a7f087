package window

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/wardenhq/warden/host/audit"
	"github.com/wardenhq/warden/host/supervise"
)

// ErrNoNetworkIsolation reports a window that was not opened because its
// webview process could not be put in an empty network namespace and
// Options.RequireNetworkIsolation (an admin's require_network_isolation)
// asks for one.
var ErrNoNetworkIsolation = errors.New("network isolation unavailable")

// Audit codes of the network isolation layer, under the command
// "warden.network".
const (
	// ReasonNoNetworkIsolation: the window runs, but its web stack can
	// reach the network (the Detail says why).
	ReasonNoNetworkIsolation = "network_not_isolated"
	// ReasonNetworkIsolationRequired: the window was not opened.
	ReasonNetworkIsolationRequired = "network_isolation_required"
)

// NetworkIsolation says whether a window's webview process, and so
// everything WebKit starts for it, runs without any network.
type NetworkIsolation struct {
	// Isolated is set when the process runs in an empty network
	// namespace: no connect or send to any address can succeed there.
	Isolated bool
	// Reason says why not, when Isolated is false.
	Reason string
}

// spawn starts a webview process in an empty network namespace. Plugins
// reach the network only through the core's http capability, so nothing
// in the web stack needs it, and whatever WebKit feature a page finds
// next (a preconnect, a DNS prefetch, a speculative load) then has no
// route anywhere. Where the namespace cannot be made, the process starts
// without it, the host logs a warning and audits it, unless
// RequireNetworkIsolation refuses the start instead.
func (w *Window) spawn(ctx context.Context, spec supervise.Spec) (*supervise.Child, error) {
	why := sharedNetworkReason(w.opts.SharedNetwork, spec.Env)
	if why == "" {
		spec.NoNetwork = true
		if w.opts.Spare {
			if child := w.m.takeSpare(spec); child != nil {
				w.setNetwork(NetworkIsolation{Isolated: true})
				return child, nil
			}
			defer w.m.prepareSpare(spec, spareRefillDelay)
		}
		child, err := supervise.Spawn(ctx, spec)
		if !errors.Is(err, supervise.ErrNoNetworkNamespace) {
			if err == nil {
				w.setNetwork(NetworkIsolation{Isolated: true})
			}
			return child, err
		}
		why = "this system does not allow network namespaces here: " + err.Error()
		spec.NoNetwork = false
	}
	id := w.plugin.ID()
	if w.RequiresNetworkIsolation() {
		w.core.Audit().Record(audit.Entry{Time: time.Now(), Plugin: id, Cmd: "warden.network", Reason: ReasonNetworkIsolationRequired,
			Detail: "not opened: the policy requires network isolation and " + why})
		return nil, fmt.Errorf("open %s: %w: %s; the admin policy requires it (require_network_isolation)", id, ErrNoNetworkIsolation, why)
	}
	child, err := supervise.Spawn(ctx, spec)
	if err != nil {
		return nil, err
	}
	w.setNetwork(NetworkIsolation{Reason: why})
	w.netWarn.Do(func() {
		w.log.Warn("NOT ISOLATED FROM THE NETWORK: this plugin's web page runs with network access; only its CSP and WebKit's settings stand between it and the network",
			"plugin", id, "reason", why)
		w.core.Audit().Record(audit.Entry{Time: time.Now(), Plugin: id, Cmd: "warden.network", Allowed: true, Reason: ReasonNoNetworkIsolation,
			Detail: "the webview process runs with network access: " + why})
	})
	return child, nil
}

// sharedNetworkReason says why a webview process must share the core's
// network, or "" when it can have none.
func sharedNetworkReason(shared bool, env []string) string {
	if shared {
		return "network isolation is turned off for this window (WARDEN_NETNS=off or Options.SharedNetwork)"
	}
	if env == nil {
		env = os.Environ()
	}
	if d := lookupEnv(env, "DISPLAY"); d != "" && lookupEnv(env, "WAYLAND_DISPLAY") == "" {
		if host, _, ok := strings.Cut(d, ":"); ok && host != "" && host != "unix" {
			return fmt.Sprintf("DISPLAY %q is an X server reached over the network", d)
		}
	}
	return ""
}

// lookupEnv returns the last value of key in env.
func lookupEnv(env []string, key string) string {
	v := ""
	for _, kv := range env {
		if k, val, ok := strings.Cut(kv, "="); ok && k == key {
			v = val
		}
	}
	return v
}

// SetRequireNetworkIsolation changes Options.RequireNetworkIsolation
// for every later start of the window's webview process (restarts after a
// crash included), so that an admin's policy applied live also binds a
// window that was isolated when it opened. It does not touch the process
// running now: a caller that turns it on stops a window whose Network is
// not isolated.
func (w *Window) SetRequireNetworkIsolation(on bool) { w.requireNet.Store(on) }

// RequiresNetworkIsolation reports whether the window's next start
// refuses to run without an empty network namespace.
func (w *Window) RequiresNetworkIsolation() bool { return w.requireNet.Load() }

func (w *Window) setNetwork(n NetworkIsolation) {
	w.mu.Lock()
	w.network = n
	w.mu.Unlock()
}

// Network says whether the current webview process runs without network
// access, and if not, why. It is the zero value before the first start.
func (w *Window) Network() NetworkIsolation {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.network
}
