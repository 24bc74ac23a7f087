package warden

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/wardenhq/warden/host/audit"
	"github.com/wardenhq/warden/host/managerwin"
	"github.com/wardenhq/warden/plugins/manager"
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
	Grants    []managedGrant  `json:"grants"`
	Pending   []string        `json:"pending,omitempty"`
	Denied    []managedDenial `json:"denied,omitempty"`
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
	return managerwin.Open(ctx, opts, w.manage)
}

// manage answers one request of the manager's page.
func (w *Warden) manage(ctx context.Context, raw []byte) (any, error) {
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
	case "audit":
		es, err := w.core.Audit().Query(ctx, audit.Filter{Plugin: req.Plugin, DeniedOnly: req.Denied, Limit: min(max(req.Limit, 1), 500)})
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
			State: st.State, Reason: st.Reason, Running: w.Running(st.ID), Pending: st.Pending, Grants: []managedGrant{},
		}
		for _, name := range slices.Sorted(maps.Keys(st.Grants)) {
			g := managedGrant{Name: name, GrantedAt: st.Grants[name].GrantedAt}
			if i := slices.IndexFunc(st.Asks, func(a manager.Permission) bool { return a.Name == name }); i >= 0 {
				g.Description, g.Reason = st.Asks[i].Description, st.Asks[i].Reason
			} else if e, ok := w.core.Describe(name); ok {
				g.Description = e.Description
			}
			p.Grants = append(p.Grants, g)
		}
		for _, name := range st.DeniedNames() {
			p.Denied = append(p.Denied, managedDenial{Name: name, At: st.Denied[name]})
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b managedPlugin) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return out, nil
}
