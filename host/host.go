package host

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"go.etcd.io/bbolt"

	"github.com/wardenhq/warden/host/audit"
	"github.com/wardenhq/warden/host/backend"
	"github.com/wardenhq/warden/host/fetch"
	"github.com/wardenhq/warden/host/storage"
	"github.com/wardenhq/warden/permissions"
)

// Version is the host version plugins' "host" constraints are checked against.
const Version = "0.1.0"

// Options configure a [Host]. Only Profile is required.
type Options struct {
	// Profile is the directory holding the state file (state.db), the
	// compilation cache (cache/, unless CacheDir is set) and each plugin's
	// data dir (data/<id>/).
	Profile string
	// CacheDir is where compiled backends are cached; default
	// <Profile>/cache/wasm. Profiles may share one: entries are keyed by
	// the module's hash and the compiler's version.
	CacheDir string
	// Logger receives the core's log and plugins' log calls; nil means slog.Default().
	Logger *slog.Logger
	// Limits are per-plugin bounds; zero fields take DefaultLimits.
	Limits Limits
	// Ceiling is the admin's permission ceiling applied to every plugin.
	Ceiling permissions.Ceiling
	// Env gives the scope roots $HOME, $DOCUMENTS and $DOWNLOADS; missing
	// ones are taken from the user's environment. $DATA is always the
	// plugin's own data dir and cannot be set here.
	Env permissions.Env
	// Audit configures the audit log's bound and flush interval.
	Audit audit.Options
	// Transport, when set, is used for http.fetch (tests); nil means the
	// fetch package's private transport.
	Transport http.RoundTripper
	// Capabilities are the application's own capabilities, offered to
	// plugins beside the core's. Their commands and permissions are in
	// the application's namespace ("app.clock.now" needing "app.clock");
	// each request to one passes the same limits, envelope checks,
	// decision and audit as a built-in command.
	Capabilities []Capability
	// Notifier shows the notifications plugins send (notifications.show);
	// nil fails each one as unavailable. The core talks to no desktop
	// service itself: package warden passes a D-Bus notifier.
	Notifier Notifier
	// URLOpener opens the web pages plugins ask for (open_url); nil fails
	// each request as unavailable. Package warden passes one that runs the
	// user's browser.
	URLOpener URLOpener
	// Consents remembers the user's answers to plugins' run-time
	// permission requests (permissions.request); nil keeps each answer
	// only while the plugin stays loaded. Package warden passes one that
	// writes the plugin's installed record.
	Consents ConsentMemory
	// ConsentDialogs, when it offers one, draws the run-time consent
	// dialog instead of the page's own window (package warden: the
	// manager window, while it is open). The page's window still checks
	// the user's gesture and uses it up.
	ConsentDialogs ConsentDialogs
}

// Host is the trusted core. It is safe for concurrent use.
type Host struct {
	opts    Options
	limits  Limits
	log     *slog.Logger
	db      *bbolt.DB
	store   *storage.Store
	audit   *audit.Log
	engine  *backend.Engine
	fetcher *fetch.Client

	// The capability table: read-only once New returns.
	capabilities   map[string]*Capability
	order          []string
	appPermissions map[string]string // application permission -> consent text

	mu          sync.RWMutex
	plugins     map[string]*Plugin
	attachments []Attachment
	closed      bool
}

// ErrClosed is returned by calls on a closed Host.
var ErrClosed = errors.New("host closed")

// New opens (or creates) the profile and starts the core. It holds the state
// file's lock until Close: a second Host on the same profile waits up to
// five seconds and then fails.
func New(ctx context.Context, opts Options) (*Host, error) {
	if opts.Profile == "" {
		return nil, errors.New("new host: no profile directory given")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	// Scope roots must be absolute: a relative profile would make $DATA
	// depend on the working directory.
	profile, err := filepath.Abs(opts.Profile)
	if err != nil {
		return nil, fmt.Errorf("new host: %w", err)
	}
	opts.Profile = profile
	if err := os.MkdirAll(opts.Profile, 0o700); err != nil {
		return nil, fmt.Errorf("new host: %w", err)
	}
	db, err := bbolt.Open(filepath.Join(opts.Profile, "state.db"), 0o600, &bbolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("new host: open state: %w", err)
	}
	h := &Host{opts: opts, limits: opts.Limits.withDefaults(), log: opts.Logger, db: db, plugins: map[string]*Plugin{}}
	if h.store, err = storage.Open(db); err != nil {
		db.Close()
		return nil, fmt.Errorf("new host: %w", err)
	}
	if h.audit, err = audit.Open(db, opts.Audit); err != nil {
		db.Close()
		return nil, fmt.Errorf("new host: %w", err)
	}
	if opts.CacheDir == "" {
		opts.CacheDir = filepath.Join(opts.Profile, "cache", "wasm")
	}
	if h.engine, err = backend.NewEngine(ctx, opts.CacheDir); err != nil {
		h.audit.Close(ctx)
		db.Close()
		return nil, fmt.Errorf("new host: %w", err)
	}
	// A response body is sent base64-encoded in one reply, with its headers
	// (at most 64 KiB of them, escaped): it must leave room for them, or a
	// small MaxReply would turn every response into reply_too_large.
	maxBody := min(fetch.DefaultMaxBody, h.maxBinaryResult()-(512<<10)*3/4)
	h.fetcher = fetch.New(fetch.Options{Transport: opts.Transport, MaxBody: max(maxBody, 1)})
	h.capabilities, h.appPermissions = map[string]*Capability{}, map[string]string{}
	for _, c := range h.builtinCapabilities() {
		if err := h.addCapability(c); err != nil {
			h.Close(ctx)
			return nil, fmt.Errorf("new host: %w", err)
		}
	}
	for _, c := range opts.Capabilities {
		if err := h.addAppCapability(c); err != nil {
			h.Close(ctx)
			return nil, fmt.Errorf("new host: %w", err)
		}
	}
	return h, nil
}

// Audit returns the host's audit log (for queries and tests).
func (h *Host) Audit() *audit.Log { return h.audit }

// Storage returns the plugins' key-value store, for the host's own use
// (tests, management). Plugins reach it only through the storage
// capability.
func (h *Host) Storage() *storage.Store { return h.store }

// Limits returns the per-plugin limits in force (Options.Limits with the
// defaults filled in).
func (h *Host) Limits() Limits { return h.limits }

// Logger returns the core's logger.
func (h *Host) Logger() *slog.Logger { return h.log }

// Plugin returns the loaded plugin with id, or nil.
func (h *Host) Plugin(id string) *Plugin {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.plugins[id]
}

// Close closes every attachment (last attached first), unloads every
// plugin, flushes the audit log and closes the state file. It is safe to
// call more than once.
func (h *Host) Close(ctx context.Context) error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	plugins := h.plugins
	h.plugins = nil
	attachments := h.attachments
	h.mu.Unlock()

	var errs []error
	// What lives outside the core (windows) goes first: a window must not
	// outlive the plugin it serves.
	for _, a := range slices.Backward(attachments) {
		errs = append(errs, a.Close(ctx))
	}
	for _, p := range plugins {
		errs = append(errs, p.close(ctx))
	}
	errs = append(errs, h.engine.Close(ctx), h.audit.Close(ctx), h.db.Close())
	return errors.Join(errs...)
}
