package host

import (
	"context"
	"fmt"
	"strings"

	"github.com/wardenhq/warden/permissions"
)

// Caller says who makes a request: the plugin's page, through a sealed
// envelope, or its backend, through the warden_call host function.
type Caller uint8

// Callers, as bits: a capability's Callers says which may invoke it.
const (
	FromPage Caller = 1 << iota
	FromBackend

	FromBoth = FromPage | FromBackend
)

func (c Caller) String() string {
	switch c {
	case FromPage:
		return "page"
	case FromBackend:
		return "backend"
	case FromBoth:
		return "page or backend"
	}
	return fmt.Sprintf("Caller(%d)", uint8(c))
}

// Capability is one command the core offers plugins: the one place that
// says which permission the command needs, who may invoke it and what
// runs it. The dispatcher, the backends' host calls and the catalog all
// read the same table, so a command cannot be reachable by one route and
// unknown, or differently guarded, on another.
type Capability struct {
	// Command is what a plugin invokes, namespaced with dots
	// ("storage.get").
	Command string
	// Permission is the permission the command needs: a catalog
	// permission for the core's own capabilities, an application
	// permission ("app.<name>", see permissions.AppPrefix) for an
	// application's.
	Permission string
	// Description is the consent text of an application permission: what
	// the user allows by granting it, in a short sentence ("Read the
	// time of the application's clock"). Capabilities sharing a
	// permission share its text; the first one that has it gives it.
	Description string
	// Callers says who may invoke it.
	Callers Caller
	// Scoped capabilities act on a resource the permission's scopes
	// bound (a path, a URL): their Handle must call Call.Decide on the
	// resource before touching it. Every other capability is decided on
	// its Permission alone before Handle runs.
	Scoped bool
	// Handle runs one allowed request and returns its JSON result (nil for
	// none). An error made by Deny carries its code to the plugin; other
	// errors are classified (timeout, quota, ...) or reported as "failed".
	Handle func(ctx context.Context, c *Call) ([]byte, error)
}

// Call is one request as a capability's handler sees it. The caller's
// identity comes from the route the request arrived on, never from the
// request.
type Call struct {
	// Plugin is the plugin making the request.
	Plugin *Plugin
	// Launch is the page launch the request belongs to: the page's own,
	// or the one whose request the backend is serving. It is nil for a
	// backend call made outside any page request.
	Launch *Launch
	// Caller says whether the page or the backend made the request.
	Caller Caller
	// Command is the command invoked.
	Command string
	// Args are the request's JSON arguments, possibly empty.
	Args []byte

	subject *permissions.Subject
	perm    string
	decided bool
}

// Decide asks the plugin's permission subject about r (its Permission
// defaults to the capability's). A scoped capability's handler calls it
// with the resource, before touching it; it may call it again (for each
// redirect of a fetch, say).
func (c *Call) Decide(r permissions.Request) error {
	if r.Permission == "" {
		r.Permission = c.perm
	}
	c.decided = true
	if err := c.subject.Decide(r); err != nil {
		return explainDenial(c, err)
	}
	return nil
}

// DecodeArgs decodes the request's arguments into v strictly: unknown
// fields and trailing data are refused with CodeBadArgs, so a typo is
// never silently ignored. The refusal names the command and says what
// the arguments must be, described from v's type in warden.d.ts's
// notation (json tags give the names, omitempty makes a field optional),
// and what the plugin sent instead.
func (c *Call) DecodeArgs(v any) error { return decodeArgs(c.Command, c.Args, v) }

// maxCmd bounds a command name.
const maxCmd = 128

// builtinCapabilities is the table of the core's own capabilities.
func (h *Host) builtinCapabilities() []Capability {
	return []Capability{
		{Command: "storage.get", Permission: "storage", Callers: FromBoth, Handle: h.storageGet},
		{Command: "storage.set", Permission: "storage", Callers: FromBoth, Handle: h.storageSet},
		{Command: "storage.delete", Permission: "storage", Callers: FromBoth, Handle: h.storageDelete},
		{Command: "storage.list", Permission: "storage", Callers: FromBoth, Handle: h.storageList},
		{Command: "fs.read", Permission: "fs.read", Callers: FromBoth, Scoped: true, Handle: h.fsRead},
		{Command: "fs.write", Permission: "fs.write", Callers: FromBoth, Scoped: true, Handle: h.fsWrite},
		{Command: "http.fetch", Permission: "http", Callers: FromBoth, Scoped: true, Handle: h.httpFetch},
		{Command: "log", Permission: "log", Callers: FromBoth, Handle: h.logWrite},
		{Command: "notifications.show", Permission: "notifications", Callers: FromBoth, Handle: h.showNotification},
		// A browser window is for the person at the plugin's window, so
		// only the page may ask for one.
		{Command: "open_url", Permission: "open_url", Callers: FromPage, Handle: h.openURL},
		// The clipboard and file dialogs act through the page's own
		// window (Launch.SetDesktop), for the person in front of it.
		{Command: "clipboard.write", Permission: "clipboard.write", Callers: FromPage, Handle: h.clipboardWrite},
		{Command: "clipboard.read", Permission: "clipboard.read", Callers: FromPage, Handle: h.clipboardRead},
		{Command: "dialog.open", Permission: "dialog", Callers: FromPage, Handle: h.dialogOpen},
		{Command: "dialog.save", Permission: "dialog", Callers: FromPage, Handle: h.dialogSave},
		// Asking the user is for the person at the page's window, within
		// their gesture; every plugin may ask for what it declared optional.
		{Command: "permissions.request", Permission: "permissions", Callers: FromPage, Handle: h.permissionsRequest},
		{Command: "permissions.contains", Permission: "permissions", Callers: FromBoth, Handle: h.permissionsContains},
		// Decided on "messaging:<the other plugin>", named by the request.
		{Command: "messaging.call", Permission: permissions.MessagingPrefix, Callers: FromBoth, Scoped: true, Handle: h.messagingCall},
		// The page already has what it would send itself.
		{Command: "event.emit", Permission: "events", Callers: FromBackend, Handle: h.emitEvent},
	}
}

// backendCapability stands for every "backend.<name>" command: a page
// calling one of its backend's exports. Its Command and Permission are
// the command invoked.
func (h *Host) backendCapability(cmd string) Capability {
	return Capability{Command: cmd, Permission: cmd, Callers: FromPage, Handle: h.backendExport}
}

// capability returns the table entry for cmd. It does not allocate.
func (h *Host) capability(cmd string) (Capability, bool) {
	if c, ok := h.capabilities[cmd]; ok {
		return *c, true
	}
	if name, ok := strings.CutPrefix(cmd, permissions.BackendPrefix); ok && permissions.ValidCommand(name) {
		return h.backendCapability(cmd), true
	}
	return Capability{}, false
}

// command returns the table's own copy of the command named by b, so that
// a backend's command read from guest memory becomes a string without
// allocating; unknown commands are copied.
func (h *Host) command(b []byte) string {
	if c, ok := h.capabilities[string(b)]; ok {
		return c.Command
	}
	return string(b)
}

// addAppCapability adds an application's capability to the table: its
// command and permission are in the application's namespace ("app."), so
// that it can neither shadow nor be shadowed by one of the core's.
func (h *Host) addAppCapability(c Capability) error {
	switch {
	case !permissions.ValidAppPermission(c.Command):
		return fmt.Errorf("capability %q: an application's command must be %q then lower-case parts separated by dots, such as \"app.clock.now\"", c.Command, permissions.AppPrefix)
	case !permissions.ValidAppPermission(c.Permission):
		return fmt.Errorf("capability %s: permission %q: an application's permission must be %q then lower-case parts separated by dots, such as \"app.clock\"", c.Command, c.Permission, permissions.AppPrefix)
	}
	if err := h.addCapability(c); err != nil {
		return err
	}
	if _, ok := h.appPermissions[c.Permission]; !ok || h.appPermissions[c.Permission] == "" {
		h.appPermissions[c.Permission] = c.Description
	}
	return nil
}

// Describe returns the catalog entry of permission name; for an
// application permission an entry with the application's consent text; for
// "messaging:<id>" one naming the plugin it reaches.
func (h *Host) Describe(name string) (permissions.Entry, bool) {
	if e, ok := permissions.Lookup(name); ok {
		return e, true
	}
	if id, ok := strings.CutPrefix(name, permissions.MessagingPrefix); ok && permissions.ValidPluginID(id) {
		return permissions.Entry{Name: name, Description: "Use the commands the plugin " + id + " offers to other plugins"}, true
	}
	if d, ok := h.appPermissions[name]; ok {
		return permissions.Entry{Name: name, Description: d}, true
	}
	return permissions.Entry{}, false
}

// addCapability adds c to the table.
func (h *Host) addCapability(c Capability) error {
	switch {
	case c.Command == "" || len(c.Command) > maxCmd:
		return fmt.Errorf("capability %q: the command must be 1 to %d bytes", c.Command, maxCmd)
	case strings.HasPrefix(c.Command, permissions.BackendPrefix):
		return fmt.Errorf("capability %s: %q commands are the plugin's own backend's", c.Command, permissions.BackendPrefix)
	case c.Permission == "":
		return fmt.Errorf("capability %s: no permission", c.Command)
	case c.Callers&FromBoth == 0 || c.Callers&^FromBoth != 0:
		return fmt.Errorf("capability %s: callers must be FromPage, FromBackend or both", c.Command)
	case c.Handle == nil:
		return fmt.Errorf("capability %s: no handler", c.Command)
	case h.capabilities[c.Command] != nil:
		return fmt.Errorf("capability %s: the command is already taken", c.Command)
	}
	h.capabilities[c.Command] = &c
	h.order = append(h.order, c.Command)
	return nil
}

// Commands returns the command table: every capability's command,
// permission and callers, in the order the core registered them, without
// handlers. "backend.<name>" commands are not listed; each needs the
// permission of its own name.
func (h *Host) Commands() []Capability {
	out := make([]Capability, 0, len(h.order))
	for _, name := range h.order {
		c := *h.capabilities[name]
		c.Handle = nil
		out = append(out, c)
	}
	return out
}
