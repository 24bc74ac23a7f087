package manifest

import (
	"fmt"
	"time"

	"github.com/wardenhq/warden/permissions"
)

// FileName is the manifest's name at the bundle root.
const FileName = "manifest.json"

// MaxSize is the largest manifest file accepted, in bytes.
const MaxSize = 256 << 10

// DefaultCSP is the policy every plugin page gets. The manifest may only
// tighten it.
const DefaultCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'none'; media-src 'self'; object-src 'none'; frame-src isolation:; child-src isolation:; worker-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Defaults for the backend limits a manifest may leave out.
const (
	DefaultBackendTimeout  = time.Second
	DefaultBackendMemoryMB = 64
)

// Manifest is a plugin's manifest.json. Field rules are enforced by
// [Parse] and [Manifest.Validate].
type Manifest struct {
	// ManifestVersion must be 1.
	ManifestVersion int `json:"manifest_version"`
	// ID is reverse-DNS and lower case, such as "com.example.notes".
	ID string `json:"id"`
	// Name is shown to users: 1 to 64 characters, no control characters.
	Name string `json:"name"`
	// Version is a strict semantic version ("1.4.2").
	Version string `json:"version"`
	// Description is at most 512 characters.
	Description string `json:"description,omitempty"`
	// Publisher is at most 128 characters.
	Publisher string `json:"publisher,omitempty"`
	// Host is a semver constraint on the host version (">=0.1.0 <1.0.0").
	Host string `json:"host"`
	// UI is the plugin's web UI, if it has one.
	UI *UI `json:"ui,omitempty"`
	// Backend is the plugin's WebAssembly backend, if it has one.
	Backend *Backend `json:"backend,omitempty"`
	// Commands are the backend exports the UI may invoke; they need Backend.
	Commands []string `json:"commands,omitempty"`
	// Exports are the commands (each also in Commands) other plugins may
	// call with messaging.call, once granted "messaging:<this id>".
	Exports []string `json:"exports,omitempty"`
	// Permissions are catalog permissions asked for at install time.
	Permissions []string `json:"permissions,omitempty"`
	// FS scopes fs.read and fs.write.
	FS *FS `json:"fs,omitempty"`
	// HTTP holds match patterns for the http permission.
	HTTP []string `json:"http,omitempty"`
	// OptionalPermissions are asked for at runtime.
	OptionalPermissions []string `json:"optional_permissions,omitempty"`
	// ContentSecurityPolicy, when set, is sent in addition to DefaultCSP
	// and may only tighten it.
	ContentSecurityPolicy string `json:"content_security_policy,omitempty"`
	// Reasons say, in the author's own words, why the plugin needs a
	// permission or a scope. A key is a declared permission ("storage") or
	// a declared scope pattern ("https://api.example.com/*"); consent shows
	// the text verbatim, as the author's (see [Manifest.Reason]).
	Reasons map[string]string `json:"reasons,omitempty"`
	// Icons maps a square size in pixels ("16", "48", "128") to a PNG file
	// of exactly that size, relative to the bundle root, as Chrome's
	// manifest does.
	Icons map[string]string `json:"icons,omitempty"`
	// DevScopes are scopes granted only while the plugin runs from its
	// source directory under `warden dev` (see [Manifest.WithDevScopes]).
	// `warden pack` drops them, and a bundle that carries them is refused.
	DevScopes *DevScopes `json:"dev_scopes,omitempty"`
}

// DevScopes are scopes for development only: a local test server, a
// fixtures folder.
type DevScopes struct {
	// HTTP holds match patterns, as the manifest's http.
	HTTP []string `json:"http,omitempty"`
	// FS holds path patterns, as the manifest's fs.
	FS *FS `json:"fs,omitempty"`
}

// UI describes the plugin's web UI.
type UI struct {
	// Entry is the page to open, relative to the bundle root.
	Entry string `json:"entry"`
	// Window holds the initial window settings.
	Window *Window `json:"window,omitempty"`
}

// Window holds initial window settings; sizes are 200 to 8192 when set.
type Window struct {
	Title  string `json:"title,omitempty"`
	Width  int    `json:"width,omitempty"`
	Height int    `json:"height,omitempty"`
}

// Backend describes the plugin's WebAssembly backend.
type Backend struct {
	// Wasm is the module's path relative to the bundle root.
	Wasm string `json:"wasm"`
	// TimeoutMS bounds each call, 1 to 60000; 0 means the default.
	TimeoutMS int `json:"timeout_ms,omitempty"`
	// MemoryMB bounds the instance's memory, 1 to 4096; 0 means the default.
	MemoryMB int `json:"memory_mb,omitempty"`
	// Toolchain names the compiler `warden build` runs on the sources in the
	// directory holding Wasm: ToolchainGo, ToolchainAssemblyScript or
	// ToolchainJS. Empty means Go when that directory holds .go files, else
	// the .wasm is used as it is. Bundles carry only the .wasm; the field
	// matters to authors' tools, never to the runtime.
	Toolchain string `json:"toolchain,omitempty"`
}

// The toolchains `warden build` knows (Backend.Toolchain).
const (
	ToolchainGo             = "go"
	ToolchainAssemblyScript = "assemblyscript"
	ToolchainJS             = "js"
)

// FS holds filesystem scope patterns (see permissions.ParsePathPattern).
type FS struct {
	Read  []string `json:"read,omitempty"`
	Write []string `json:"write,omitempty"`
}

// BackendTimeout returns the per-call backend timeout: the manifest's value
// or DefaultBackendTimeout.
func (m *Manifest) BackendTimeout() time.Duration {
	if m.Backend == nil || m.Backend.TimeoutMS <= 0 {
		return DefaultBackendTimeout
	}
	return time.Duration(m.Backend.TimeoutMS) * time.Millisecond
}

// BackendMemoryMB returns the backend memory limit in MiB: the manifest's
// value or DefaultBackendMemoryMB.
func (m *Manifest) BackendMemoryMB() int {
	if m.Backend == nil || m.Backend.MemoryMB <= 0 {
		return DefaultBackendMemoryMB
	}
	return m.Backend.MemoryMB
}

// CSP returns the policies to send on every plugin: response: DefaultCSP
// and, when set, the manifest's own. Browsers enforce every policy sent, so
// the effective policy is their intersection.
func (m *Manifest) CSP() []string {
	if m.ContentSecurityPolicy == "" {
		return []string{DefaultCSP}
	}
	return []string{DefaultCSP, m.ContentSecurityPolicy}
}

// Declared converts the manifest's requests into permissions.Declared with
// every pattern parsed. Permissions holds the permissions, the optional
// permissions (they still need a grant before use) and the permissions that
// scopes imply: fs.read or fs.write when fs lists patterns, http when http
// does.
func (m *Manifest) Declared() (permissions.Declared, error) {
	var d permissions.Declared
	d.Permissions = m.declaredPermissions()
	d.Commands = append([]string(nil), m.Commands...)
	var err error
	if m.FS != nil {
		if d.FSRead, err = parsePaths(m.FS.Read); err != nil {
			return permissions.Declared{}, fmt.Errorf("manifest fs.read: %w", err)
		}
		if d.FSWrite, err = parsePaths(m.FS.Write); err != nil {
			return permissions.Declared{}, fmt.Errorf("manifest fs.write: %w", err)
		}
	}
	for _, s := range m.HTTP {
		p, err := permissions.ParseMatchPattern(s)
		if err != nil {
			return permissions.Declared{}, fmt.Errorf("manifest http: %w", err)
		}
		d.HTTP = append(d.HTTP, p)
	}
	return d, nil
}

// ConsentPermissions returns the permissions the user must grant at install
// time, in catalog order and then the application permissions ("app.*") in
// manifest order: declared and scope-implied permissions that are neither
// implicit nor optional.
func (m *Manifest) ConsentPermissions() []string {
	optional := make(map[string]bool, len(m.OptionalPermissions))
	for _, p := range m.OptionalPermissions {
		optional[p] = true
	}
	want := make(map[string]bool)
	for _, p := range m.Permissions {
		want[p] = true
	}
	for _, p := range m.impliedPermissions() {
		want[p] = true
	}
	var out []string
	for _, e := range permissions.Catalog() {
		if want[e.Name] && !e.Implicit && !optional[e.Name] {
			out = append(out, e.Name)
		}
	}
	for _, p := range m.Permissions {
		if permissions.ValidAppPermission(p) && !optional[p] {
			out = append(out, p)
		}
	}
	return out
}

// impliedPermissions returns the permissions that non-empty scopes imply.
func (m *Manifest) impliedPermissions() []string {
	var out []string
	if m.FS != nil && len(m.FS.Read) > 0 {
		out = append(out, "fs.read")
	}
	if m.FS != nil && len(m.FS.Write) > 0 {
		out = append(out, "fs.write")
	}
	if len(m.HTTP) > 0 {
		out = append(out, "http")
	}
	return out
}

func (m *Manifest) declaredPermissions() []string {
	seen := make(map[string]bool)
	var out []string
	add := func(ps []string) {
		for _, p := range ps {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	add(m.Permissions)
	add(m.OptionalPermissions)
	add(m.impliedPermissions())
	return out
}

func parsePaths(ss []string) ([]permissions.PathPattern, error) {
	var out []permissions.PathPattern
	for _, s := range ss {
		p, err := permissions.ParsePathPattern(s)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}
