package warden

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"

	berrors "go.etcd.io/bbolt/errors"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/host/managerwin"
	"github.com/wardenhq/warden/host/notify"
	"github.com/wardenhq/warden/host/supervise"
	"github.com/wardenhq/warden/host/window"
	"github.com/wardenhq/warden/plugins/manager"
	"github.com/wardenhq/warden/plugins/policy"
	"github.com/wardenhq/warden/plugins/store"
)

// Capability is one command an application offers plugins (see
// host.Capability): its Command and Permission are in the application's
// namespace ("app.clock.now" needing "app.clock"), and its Description is
// the permission's consent text.
type Capability = host.Capability

// Config configures [Open]. Only Profile is required.
type Config struct {
	// Profile is the directory holding Warden's state: the state file,
	// installed plugins, their data and the compilation cache. One
	// process at a time may open it.
	Profile string
	// CacheDir, when set, holds the compilation cache instead of the
	// profile (see host.Options.CacheDir): profiles may share one.
	CacheDir string
	// Logger receives the core's log; nil means slog.Default().
	Logger *slog.Logger
	// Policy is the admin policy in force at start (nil: none); see
	// [Warden.SetPolicy] to apply a changed one.
	Policy *policy.Policy
	// Limits are per-plugin bounds (zero fields: host.DefaultLimits); the
	// policy's ceilings lower them.
	Limits host.Limits
	// Capabilities are the application's own capabilities.
	Capabilities []Capability
	// IsolationHook are scripts run in every plugin page's isolation
	// frame, after Warden's isolation app: they see every request before it
	// is sealed and may refuse it. When the policy names isolation hooks
	// (isolation_hook), the last hook these scripts set runs among them:
	// after a user's policy hook and before the admin's, which decides
	// last.
	IsolationHook []string
	// Window says how plugin windows run. Its zero value re-executes this
	// binary with the argument [WebviewArg] (see webview.Serve). Its
	// IsolationJS is ignored: use IsolationHook.
	Window window.Options
	// Restart is the webview processes' restart policy; zero fields take
	// supervise's defaults.
	Restart supervise.Policy
	// Notifier shows plugins' notifications; nil means the desktop's
	// notification server on the D-Bus session bus
	// ($DBUS_SESSION_BUS_ADDRESS), connected at the first notification.
	Notifier host.Notifier
	// URLOpener opens the web pages plugins ask for (open_url); nil means
	// the user's browser: $BROWSER, else xdg-open.
	URLOpener host.URLOpener
}

// consentMemory remembers the user's answers to plugins' run-time
// permission requests in their installed records. The core is made
// before the lifecycle manager that writes them, hence the pointer.
type consentMemory struct {
	plugins atomic.Pointer[manager.Manager]
}

// RememberConsent implements host.ConsentMemory.
func (c *consentMemory) RememberConsent(ctx context.Context, id string, perms []string, allow bool) error {
	m := c.plugins.Load()
	if m == nil {
		return errors.New("the profile is still opening")
	}
	return m.RememberConsent(ctx, id, perms, allow)
}

// ErrProfileInUse reports a profile another process holds open.
var ErrProfileInUse = errors.New("profile in use")

// Warden is an open profile: the core, the installed plugins, the admin
// policy and the plugins' windows. It is safe for concurrent use.
type Warden struct {
	core    *host.Host
	bus     *desktopNotifier // nil when the application gave its own notifier
	store   *store.Store
	plugins *manager.Manager
	windows *window.Manager
	log     *slog.Logger
	window  window.Options
	hook    []string // the application's isolation hook
	policy  atomic.Pointer[policy.Policy]
	hookMu  sync.Mutex
	hooks   *policyHooks // the policy's isolation hooks, read once per policy

	// The run state: which installed plugins were asked to run, and how
	// each one stands (see run.go).
	mu      sync.Mutex
	wanted  []string                  // ids asked for, in order
	running map[string][]string       // id -> blocked permissions it runs under
	blocked map[string]string         // id -> why it is not running
	revoked map[string]bool           // id -> stopped by a revoke, until it runs again
	open    map[string]*window.Window // id -> its window, while running
	hooked  map[string][]string       // id -> the policy's hook scripts its window runs
	changed chan struct{}             // signalled after every change of the above or of a window
	watchMu sync.Mutex
	watches map[chan struct{}]struct{} // more listeners of signal (the manager window)

	managerWin atomic.Pointer[managerwin.Window] // the open manager window, if any
	listIcons  sync.Map                          // "id@version" -> the manager list's icon (data: URL or "")
}

// Open opens (or creates) the profile in cfg. It fails with
// ErrProfileInUse, after five seconds, while another process holds the
// profile.
func Open(ctx context.Context, cfg Config) (*Warden, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.URLOpener == nil {
		cfg.URLOpener = browser{}
	}
	consents := &consentMemory{}
	dialogs := &managerConsent{}
	var bus *desktopNotifier
	if cfg.Notifier == nil {
		bus = &desktopNotifier{notify.New("")}
		cfg.Notifier = bus
	}
	core, err := host.New(ctx, host.Options{
		Profile: cfg.Profile, CacheDir: cfg.CacheDir, Logger: cfg.Logger, Capabilities: cfg.Capabilities, Notifier: cfg.Notifier, URLOpener: cfg.URLOpener,
		Consents: consents, ConsentDialogs: dialogs,
		Limits: limitsOf(cfg.Limits, cfg.Policy.Ceilings()),
	})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, fmt.Errorf("%w: %s is open in another warden process (a running window?): close it and retry", ErrProfileInUse, cfg.Profile)
		}
		return nil, err
	}
	w := &Warden{
		core: core, bus: bus, log: cfg.Logger, window: cfg.Window, hook: cfg.IsolationHook,
		running: map[string][]string{}, blocked: map[string]string{}, revoked: map[string]bool{}, open: map[string]*window.Window{},
		hooked: map[string][]string{}, changed: make(chan struct{}, 1),
	}
	dialogs.w.Store(w)
	w.policy.Store(cfg.Policy)
	w.hooksFor(cfg.Policy) // read when the policy comes into force
	fail := func(err error) (*Warden, error) {
		core.Close(ctx)
		return nil, err
	}
	if w.store, err = store.Open(core.DB(), core.Profile()); err != nil {
		return fail(err)
	}
	w.plugins, err = manager.New(manager.Options{
		Store: w.store, Policy: w.Policy, HostVersion: host.Version,
		Precompile: core, Purge: core, Describe: core.Describe,
	})
	if err != nil {
		return fail(err)
	}
	consents.plugins.Store(w.plugins)
	if w.windows, err = window.NewManager(core, cfg.Restart); err != nil {
		return fail(err)
	}
	w.windows.OnCrash(w.rememberCrash)
	return w, nil
}

// rememberCrash keeps an installed plugin's last crash in its record, for
// the manager and warden info. A plugin run from source has no record.
func (w *Warden) rememberCrash(id string, c supervise.Crash) {
	_, err := w.store.Modify(id, func(p *store.Plugin) error {
		p.CrashedAt, p.CrashReason = c.At, window.CrashDetail(c)
		return nil
	})
	if err != nil && !errors.Is(err, store.ErrNotInstalled) {
		w.log.Warn("remember crash", "plugin", id, "err", err)
	}
	w.signal()
}

// Host returns the core, for decisions and requests of the application's
// own (tests, a command line's call).
func (w *Warden) Host() *host.Host { return w.core }

// Windows returns the window manager.
func (w *Warden) Windows() *window.Manager { return w.windows }

// Plugins returns the lifecycle manager of installed plugins: install,
// update, grant, revoke, enable, disable, uninstall.
func (w *Warden) Plugins() *manager.Manager { return w.plugins }

// Store returns the store of installed plugins.
func (w *Warden) Store() *store.Store { return w.store }

// Policy returns the admin policy in force (nil: none).
func (w *Warden) Policy() *policy.Policy { return w.policy.Load() }

// Close stops every window and backend, flushes the audit log and releases
// the profile.
func (w *Warden) Close(ctx context.Context) error {
	err := w.core.Close(ctx)
	if w.bus != nil {
		err = errors.Join(err, w.bus.Close())
	}
	return err
}

// windowOptions are o with what every plugin window opened now must have:
// the isolation hooks (the application's, then the policy's chain) and the
// network rules of the environment and the policy. It fails when the
// policy's isolation hooks cannot be used: the window must not open.
func (w *Warden) windowOptions(o window.Options) (window.Options, error) {
	pol := w.Policy()
	hooks, err := w.hooksFor(pol)
	if err != nil {
		return o, err
	}
	o.IsolationJS = append(append([]string(nil), w.hook...), hooks...)
	if os.Getenv(NetnsEnv) == "off" {
		o.SharedNetwork = true
	}
	if pol.RequireNetworkIsolation() {
		o.RequireNetworkIsolation = true
	}
	if o.Args == nil && o.Executable == "" {
		exe, err := os.Executable()
		if err != nil {
			return o, fmt.Errorf("webview process: %w", err)
		}
		o.Executable, o.Args = exe, []string{WebviewArg}
	}
	return o, nil
}

// NetnsEnv set to "off" runs webview processes with the host's network,
// for diagnosing a system where WebKit misbehaves in an empty network
// namespace. The window then says so in the log and the audit, and an
// admin's require_network_isolation refuses to open it, as on a system
// without namespaces.
const NetnsEnv = "WARDEN_NETNS"
