package warden

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/host/audit"
	"github.com/wardenhq/warden/host/managerwin"
	"github.com/wardenhq/warden/host/window"
	"github.com/wardenhq/warden/plugins/bundle"
	"github.com/wardenhq/warden/plugins/manager"
	"github.com/wardenhq/warden/plugins/policy"
	"github.com/wardenhq/warden/plugins/store"
)

// The manager window's requests (see package managerwin): each is one
// JSON object {"op": ..., ...} from Warden's own page, answered here with
// the same operations the command line uses. No plugin can send them.

// managerRequest is one request of the manager's page.
type managerRequest struct {
	Op     string   `json:"op"`
	ID     string   `json:"id,omitempty"`
	Perms  []string `json:"perms,omitempty"`
	Plugin string   `json:"plugin,omitempty"`
	Denied bool     `json:"denied,omitempty"`
	Limit  int      `json:"limit,omitempty"`
	// Since starts the audit view at a time; zero for any time.
	Since time.Time `json:"since,omitzero"`
	// Path is a bundle to install; Version and Signer are what the user
	// was shown of it (preview), which the install must still match.
	Path    string `json:"path,omitempty"`
	Version string `json:"version,omitempty"`
	Signer  string `json:"signer,omitempty"`
	// Purge also deletes the plugin's data on uninstall.
	Purge bool `json:"purge,omitempty"`
}

// installPreview is what the install dialog shows: the consent request.
type installPreview struct {
	Path      string        `json:"path"`
	ID        string        `json:"id"`
	Name      string        `json:"name"`
	Version   string        `json:"version"`
	Publisher string        `json:"publisher,omitempty"`
	Signer    string        `json:"signer"`
	Replaces  string        `json:"replaces,omitempty"`
	Update    string        `json:"update,omitempty"` // the installed version this one updates
	Asks      []previewPerm `json:"permissions"`
	Optional  []previewPerm `json:"optional,omitempty"`
}

type previewPerm struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Scopes      []string `json:"scopes,omitempty"`
	Reason      string   `json:"reason,omitempty"` // the author's
}

// managedPlugin is one installed plugin as the manager shows it.
type managedPlugin struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Version   string          `json:"version"`
	Publisher string          `json:"publisher,omitempty"`
	Signed    bool            `json:"signed"`
	State     string          `json:"state"`
	Reason    string          `json:"reason,omitempty"`
	Running   bool            `json:"running"`
	Previous  []string        `json:"previous,omitempty"` // versions a rollback can return to, newest first
	Grants    []managedGrant  `json:"grants"`
	Pending   []managedGrant  `json:"pending,omitempty"` // what an update asks for and the user has not allowed yet
	Denied    []managedDenial `json:"denied,omitempty"`
	// Icon is a data: URL of the plugin's icon, re-encoded by the core;
	// empty when it has none.
	Icon        string    `json:"icon,omitempty"`
	CrashedAt   time.Time `json:"crashed_at,omitzero"`
	CrashReason string    `json:"crash_reason,omitempty"`
}

type managedGrant struct {
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Reason      string    `json:"reason,omitempty"` // the author's, shown as theirs
	GrantedAt   time.Time `json:"granted_at"`
}

type managedDenial struct {
	Name string    `json:"name"`
	At   time.Time `json:"at"`
}

// ManagerOptions say how the manager window runs; its zero value uses the
// webview program Config.Window names.
type ManagerOptions = managerwin.Options

// OpenManager opens Warden's manager window for this profile: the
// installed plugins, their permissions and the audit log, with buttons
// that open, close, enable, disable and revoke. opts.Executable defaults
// to the program plugin windows use.
func (w *Warden) OpenManager(ctx context.Context, opts ManagerOptions) (*managerwin.Window, error) {
	if opts.Executable == "" {
		wo, err := w.windowOptions(w.window)
		if err != nil {
			return nil, err
		}
		opts.Executable, opts.Args = wo.Executable, wo.Args
		if opts.Env == nil {
			opts.Env = wo.Env
		}
		if opts.Stderr == nil {
			opts.Stderr = wo.Stderr
		}
	}
	if opts.Log == nil {
		opts.Log = w.log
	}
	mw, err := managerwin.Open(ctx, opts, w.manage)
	if err != nil {
		return nil, err
	}
	w.managerWin.Store(mw)
	changes, stop := w.changes()
	ended := make(chan struct{})
	go func() {
		mw.Wait(context.Background())
		stop()
		w.managerWin.CompareAndSwap(mw, nil)
		close(ended)
	}()
	go w.followChanges(mw, changes, ended)
	return mw, nil
}

// followChanges has the manager's page show the new state after every
// change of a plugin's window or record (a crash, a command run in a
// terminal), at most every managerRefreshEvery, until ended is closed.
func (w *Warden) followChanges(mw *managerwin.Window, changes, ended <-chan struct{}) {
	for {
		select {
		case <-ended:
			return
		case <-changes:
		}
		select {
		case <-ended:
			return
		case <-time.After(managerRefreshEvery):
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		var ignored bool
		mw.Eval(ctx, `if (typeof window.stateChanged === "function") window.stateChanged(); return true`, &ignored)
		cancel()
	}
}

// managerRefreshEvery gathers a burst of changes into one refresh of the
// manager's page.
const managerRefreshEvery = 150 * time.Millisecond

// managerConsent offers the manager window, while it is open, as the
// place where plugins' run-time permission requests are asked
// (host.ConsentDialogs). The core is made before the Warden, hence the
// pointer.
type managerConsent struct {
	w atomic.Pointer[Warden]
}

// ConsentDialog implements host.ConsentDialogs.
func (c *managerConsent) ConsentDialog() func(context.Context, string, host.ConsentPrompt) (host.ConsentAnswer, error) {
	w := c.w.Load()
	if w == nil {
		return nil
	}
	mw := w.managerWin.Load()
	if mw == nil {
		return nil
	}
	return func(ctx context.Context, id string, p host.ConsentPrompt) (host.ConsentAnswer, error) {
		b, err := json.Marshal(map[string]string{"plugin": id, "title": p.Title, "text": p.Text, "detail": p.Detail})
		if err != nil {
			return host.ConsentDismissed, err
		}
		if err := mw.Present(ctx); err != nil {
			w.log.Warn("raise the manager", "err", err)
		}
		var answer string
		if err := mw.Eval(ctx, "return await window.askPermission("+string(b)+")", &answer); err != nil {
			return host.ConsentDismissed, fmt.Errorf("ask in the manager: %w", err)
		}
		switch answer {
		case "allow":
			return host.ConsentAllowed, nil
		case "deny":
			return host.ConsentDenied, nil
		}
		return host.ConsentDismissed, nil
	}
}

// ErrNoManager reports that no manager window is open to ask the user.
var ErrNoManager = errors.New("no manager window is open")

// OfferInstall shows the install dialog for the bundle at path in the
// open manager window: what the plugin is and asks for, and "Install and
// allow" or "Cancel". It returns once the dialog is asked for, not when
// the user answers. It is how a bundle opened from the file manager
// reaches the user (warden manager --install).
func (w *Warden) OfferInstall(ctx context.Context, path string) error {
	mw := w.managerWin.Load()
	if mw == nil {
		return ErrNoManager
	}
	b, err := json.Marshal(path)
	if err != nil {
		return err
	}
	// The page may still be loading when a bundle is opened with the
	// manager: wait for it, briefly.
	js := `if (typeof window.offerInstall !== "function") return false; window.offerInstall(` + string(b) + `); return true`
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	for {
		var offered bool
		if err := mw.Eval(ctx, js, &offered); err != nil {
			return err
		}
		if offered {
			if err := mw.Present(ctx); err != nil {
				w.log.Warn("raise the manager", "err", err)
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("offer install: the manager's page did not load: %w", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// manage answers one request of the manager's page.
func (w *Warden) manage(ctx context.Context, win *managerwin.Window, raw []byte) (any, error) {
	var req managerRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		return nil, fmt.Errorf("bad request: %w", err)
	}
	switch req.Op {
	case "list":
		return w.managedPlugins()
	case "open":
		return nil, w.Run(ctx, req.ID)
	case "close":
		return nil, w.Stop(ctx, req.ID)
	case "enable", "disable", "grant", "revoke":
		_, err := w.Apply(ctx, ControlRequest{Op: req.Op, ID: req.ID, Perms: req.Perms})
		return nil, err
	case "pick":
		return win.PickFile(ctx, "Install a Warden plugin", []string{"*.wbundle"})
	case "preview":
		p, err := w.previewInstall(ctx, req.Path)
		if err != nil {
			return nil, forPeople(req.Path, err)
		}
		return p, nil
	case "install":
		return nil, forPeople(req.Path, w.installShown(ctx, req))
	case "updates":
		return w.checkUpdates(ctx)
	case "preview-update":
		p, err := w.previewUpdate(ctx, req.ID)
		if err != nil {
			return nil, err
		}
		return p, nil
	case "update":
		return nil, w.updateShown(ctx, req)
	case "rollback":
		return nil, w.whileStopped(ctx, req.ID, func() error {
			_, err := w.plugins.Rollback(ctx, req.ID)
			return err
		})
	case "uninstall":
		if err := w.Stop(ctx, req.ID); err != nil && w.Running(req.ID) {
			return nil, err
		}
		return nil, w.plugins.Uninstall(ctx, req.ID, req.Purge)
	case "audit":
		es, err := w.core.Audit().Query(ctx, audit.Filter{Plugin: req.Plugin, DeniedOnly: req.Denied, Since: req.Since, Limit: min(max(req.Limit, 1), 500)})
		if es == nil {
			es = []audit.Entry{}
		}
		return es, err
	}
	return nil, fmt.Errorf("unknown request %q", req.Op)
}

// managedPlugins lists the installed plugins for the manager.
func (w *Warden) managedPlugins() ([]managedPlugin, error) {
	list, err := w.plugins.List()
	if err != nil {
		return nil, err
	}
	out := make([]managedPlugin, 0, len(list))
	for _, st := range list {
		p := managedPlugin{
			ID: st.ID, Name: st.Name, Version: st.Version, Publisher: st.Publisher, Signed: st.SignerKey != "",
			State: st.State, Reason: st.Reason, Running: w.Running(st.ID), Grants: []managedGrant{}, Previous: st.Previous,
			Icon: w.listIcon(st.Plugin), CrashedAt: st.CrashedAt, CrashReason: st.CrashReason,
		}
		// What consent said of each permission, with the author's reason.
		described := func(name string) managedGrant {
			g := managedGrant{Name: name}
			if i := slices.IndexFunc(st.Asks, func(a manager.Permission) bool { return a.Name == name }); i >= 0 {
				g.Description, g.Reason = st.Asks[i].Description, st.Asks[i].Reason
			} else if e, ok := w.core.Describe(name); ok {
				g.Description = e.Description
			}
			return g
		}
		for _, name := range slices.Sorted(maps.Keys(st.Grants)) {
			g := described(name)
			g.GrantedAt = st.Grants[name].GrantedAt
			p.Grants = append(p.Grants, g)
		}
		for _, name := range st.Pending {
			p.Pending = append(p.Pending, described(name))
		}
		for _, name := range st.DeniedNames() {
			p.Denied = append(p.Denied, managedDenial{Name: name, At: st.Denied[name]})
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b managedPlugin) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return out, nil
}

// listIconPixels is the size of the icon the manager's list asks for:
// 32 CSS pixels at a scale of 2.
const listIconPixels = 64

// listIcon returns rec's icon as a data: URL for the manager's list, ""
// when it has none or it cannot be read (logged). Icons are kept by id and
// version, since a version's files never change.
func (w *Warden) listIcon(rec store.Plugin) string {
	key := rec.ID + "@" + rec.Version
	if v, ok := w.listIcons.Load(key); ok {
		return v.(string)
	}
	url := ""
	mf, err := w.plugins.Manifest(rec)
	var b []byte
	if err == nil {
		b, err = window.IconPNG(w.plugins.Dir(rec), mf, listIconPixels)
	}
	if err != nil {
		w.log.Warn("plugin icon", "plugin", rec.ID, "err", err)
	} else if b != nil {
		url = "data:image/png;base64," + base64.StdEncoding.EncodeToString(b)
	}
	w.listIcons.Store(key, url)
	return url
}

// errPreview stops an install at its consent step: the preview has what
// it needs, and nothing was installed.
var errPreview = errors.New("preview only")

// previewInstall reads and checks the bundle at path as an install would,
// up to the consent step (for an update, its review), and returns what the
// user is to be asked. Nothing is installed.
func (w *Warden) previewInstall(ctx context.Context, path string) (*installPreview, error) {
	var shown *installPreview
	capture := func(_ context.Context, req manager.ConsentRequest) error {
		shown = previewOf(path, req)
		return errPreview
	}
	_, err := w.plugins.Install(ctx, path, manager.InstallOptions{AllowUnsigned: true, Source: path, Consent: capture, Review: capture})
	return previewResult(shown, err)
}

// previewResult is what a preview install's result means.
func previewResult(shown *installPreview, err error) (*installPreview, error) {
	if errors.Is(err, errPreview) {
		return shown, nil
	}
	if err == nil {
		return nil, errors.New("installed without asking: the bundle changed while it was read")
	}
	return nil, err
}

func previewOf(path string, req manager.ConsentRequest) *installPreview {
	return &installPreview{Path: path, ID: req.ID, Name: req.Name, Version: req.Version, Publisher: req.Publisher, Signer: req.Signer,
		Replaces: req.Replaces, Update: req.Update, Asks: previewPerms(req.Permissions), Optional: previewPerms(req.Optional)}
}

func previewPerms(ps []manager.Permission) []previewPerm {
	out := make([]previewPerm, 0, len(ps))
	for _, p := range ps {
		out = append(out, previewPerm{Name: p.Name, Description: p.Description, Scopes: p.Scopes, Reason: p.Reason})
	}
	return out
}

// installShown installs the bundle at req.Path with the user's consent to
// what they were shown: the same plugin, version, signer and permissions.
// A bundle that changed since is refused, so that consent never covers
// what the user did not see. An update is applied with the permissions
// it adds granted, the plugin's window closed meanwhile.
func (w *Warden) installShown(ctx context.Context, req managerRequest) error {
	return w.applyShown(ctx, req, func(opts manager.InstallOptions) (manager.Result, error) {
		opts.AllowUnsigned, opts.Source = true, req.Path
		return w.plugins.Install(ctx, req.Path, opts)
	})
}

// applyShown runs install with Consent and Review set to accept only what
// req says the user was shown, then grants what an update added, as the
// user allowed. A running plugin is stopped for an update and started
// again after.
func (w *Warden) applyShown(ctx context.Context, req managerRequest, install func(manager.InstallOptions) (manager.Result, error)) error {
	same := func(_ context.Context, c manager.ConsentRequest) error {
		names := make([]string, len(c.Permissions))
		for i, p := range c.Permissions {
			names[i] = p.Name
		}
		if c.ID != req.ID || c.Version != req.Version || c.Signer != req.Signer || !slices.Equal(names, req.Perms) {
			return fmt.Errorf("%w: the bundle changed since it was shown to you; open it again", manager.ErrConsentRefused)
		}
		return nil
	}
	return w.whileStopped(ctx, req.ID, func() error {
		res, err := install(manager.InstallOptions{Consent: same, Review: same})
		if err == nil && res.Updated && len(res.Pending) > 0 {
			_, err = w.Apply(ctx, ControlRequest{Op: "grant", ID: req.ID, Perms: res.Pending})
		}
		return err
	})
}

// whileStopped runs change (a new version of plugin id) with its window
// closed, if it was open, and opens it again after, whether change
// worked or not.
func (w *Warden) whileStopped(ctx context.Context, id string, change func() error) error {
	running := w.Running(id)
	if running {
		if err := w.Stop(ctx, id); err != nil {
			return err
		}
	}
	err := change()
	if running {
		err = errors.Join(err, w.Run(ctx, id))
	}
	return err
}

// forPeople says why a bundle cannot be installed in words for the person
// who opened it, keeping Warden's own message as the details.
func forPeople(path string, err error) error {
	name := "“" + filepath.Base(path) + "”"
	var why string
	switch {
	case errors.Is(err, fs.ErrNotExist):
		why = name + " does not exist any more."
	case errors.Is(err, bundle.ErrHashMismatch), errors.Is(err, bundle.ErrSizeMismatch), errors.Is(err, bundle.ErrNotListed),
		errors.Is(err, bundle.ErrMissing), errors.Is(err, bundle.ErrBadList):
		why = name + " was changed after it was packed: its files do not match the list its author made. Do not install it; get it again from where you found it."
	case errors.Is(err, bundle.ErrManifest):
		why = name + " is a Warden bundle, but its description of the plugin is broken. Its author has to fix it."
	case errors.Is(err, manager.ErrIncompatible):
		why = name + " was made for another version of Warden."
	case errors.Is(err, policy.ErrBlocked), errors.Is(err, policy.ErrVersionNotAllowed), errors.Is(err, manager.ErrUnsigned):
		why = "Your administrator does not allow installing " + name + "."
	case errors.Is(err, bundle.ErrMalformed), errors.Is(err, bundle.ErrTooLarge), errors.Is(err, bundle.ErrCompressionRatio),
		errors.Is(err, bundle.ErrTooManyEntries), errors.Is(err, bundle.ErrPathTraversal), errors.Is(err, bundle.ErrSymlink):
		why = name + " is not a Warden plugin bundle, or it is damaged."
	default:
		return err
	}
	return fmt.Errorf("%s (Details: %w)", why, err)
}
