package manifest

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/Masterminds/semver/v3"
	"github.com/wardenhq/warden/permissions"
)

// Patterns shared with manifest.schema.json (a test keeps them in sync).
const (
	idPattern      = `^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$`
	commandPattern = `^[a-z][A-Za-z0-9_]{0,63}$`
)

var idRE = regexp.MustCompile(idPattern)

// Limits on manifest values.
const (
	maxIDLen          = 128
	maxLabelLen       = 63
	maxNameLen        = 64
	maxDescriptionLen = 512
	maxPublisherLen   = 128
	maxTitleLen       = 128
	maxPathLen        = 255
	maxCSPLen         = 4096
	minWindowSize     = 200
	maxWindowSize     = 8192
	maxTimeoutMS      = 60000
	maxMemoryMB       = 4096
)

// Validate checks every value rule of the manifest and returns nil, the one
// *FieldError found, or all of them joined with errors.Join. It does not
// look at files; see [Manifest.CheckFiles].
func (m *Manifest) Validate() error { return m.validate() }

// problems collects FieldErrors.
type problems []error

func (p *problems) add(field, format string, args ...any) {
	*p = append(*p, &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)})
}

func (m *Manifest) validate() error {
	var p problems
	if m.ManifestVersion != 1 {
		p.add("manifest_version", "must be 1, got %d", m.ManifestVersion)
	}
	checkID(&p, m.ID)
	checkText(&p, "name", m.Name, 1, maxNameLen, false)
	if m.Version == "" {
		p.add("version", "is required: a semantic version such as \"1.0.0\"")
	} else if _, err := semver.StrictNewVersion(m.Version); err != nil {
		p.add("version", "must be a semantic version MAJOR.MINOR.PATCH such as \"1.4.2\", got %q", m.Version)
	}
	checkText(&p, "description", m.Description, 0, maxDescriptionLen, true)
	checkText(&p, "publisher", m.Publisher, 0, maxPublisherLen, false)
	if strings.TrimSpace(m.Host) == "" {
		p.add("host", "is required: a semver constraint on the host version such as \">=0.1.0 <1.0.0\"")
	} else if _, err := semver.NewConstraint(m.Host); err != nil {
		p.add("host", "must be a semver constraint such as \">=0.1.0 <1.0.0\": %v", err)
	}
	if m.UI != nil {
		if msg := checkRelPath(m.UI.Entry); msg != "" {
			p.add("ui.entry", "%s", msg)
		} else if ext := path.Ext(m.UI.Entry); ext != ".html" && ext != ".htm" {
			p.add("ui.entry", "must name an .html file, got %q", m.UI.Entry)
		}
		if w := m.UI.Window; w != nil {
			checkText(&p, "ui.window.title", w.Title, 0, maxTitleLen, false)
			checkRange(&p, "ui.window.width", w.Width, minWindowSize, maxWindowSize)
			checkRange(&p, "ui.window.height", w.Height, minWindowSize, maxWindowSize)
		}
	}
	if b := m.Backend; b != nil {
		if msg := checkRelPath(b.Wasm); msg != "" {
			p.add("backend.wasm", "%s", msg)
		} else if path.Ext(b.Wasm) != ".wasm" {
			p.add("backend.wasm", "must name a .wasm file, got %q", b.Wasm)
		}
		checkRange(&p, "backend.timeout_ms", b.TimeoutMS, 1, maxTimeoutMS)
		checkRange(&p, "backend.memory_mb", b.MemoryMB, 1, maxMemoryMB)
		switch b.Toolchain {
		case "", ToolchainGo, ToolchainAssemblyScript, ToolchainJS:
		default:
			p.add("backend.toolchain", "must be %q, %q or %q, got %q", ToolchainGo, ToolchainAssemblyScript, ToolchainJS, b.Toolchain)
		}
	}
	m.checkCommands(&p)
	m.checkPermissions(&p)
	m.checkScopes(&p)
	m.checkDevScopes(&p)
	m.checkReasons(&p)
	m.checkIcons(&p)
	if m.ContentSecurityPolicy != "" {
		if len(m.ContentSecurityPolicy) > maxCSPLen {
			p.add("content_security_policy", "must be at most %d bytes", maxCSPLen)
		} else if err := checkCSP(m.ContentSecurityPolicy); err != nil {
			p.add("content_security_policy", "%v", err)
		}
	}
	switch len(p) {
	case 0:
		return nil
	case 1:
		return p[0]
	}
	return errors.Join(p...)
}

func checkID(p *problems, id string) {
	const want = "reverse-DNS in lower case such as \"com.example.notes\""
	switch {
	case id == "":
		p.add("id", "is required: %s", want)
		return
	case len(id) > maxIDLen:
		p.add("id", "must be at most %d bytes, got %d", maxIDLen, len(id))
		return
	case !idRE.MatchString(id):
		p.add("id", "must be %s (letters a-z, digits and '-' in dot-separated labels), got %q", want, id)
		return
	}
	for _, l := range strings.Split(id, ".") {
		if len(l) > maxLabelLen {
			p.add("id", "labels must be at most %d bytes, %q is %d", maxLabelLen, l, len(l))
		} else if strings.HasSuffix(l, "-") {
			p.add("id", "labels must not end with '-', got %q", l)
		}
	}
}

// checkText checks a human-readable string: length in characters, no
// control characters (newlines only where allowed), no bidirectional
// overrides that could make a consent prompt lie, no surrounding space.
func checkText(p *problems, field, s string, minLen, maxLen int, newlines bool) {
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0 && minLen > 0:
		p.add(field, "is required (1 to %d characters)", maxLen)
		return
	case n < minLen || n > maxLen:
		p.add(field, "must be %d to %d characters, got %d", minLen, maxLen, n)
		return
	case strings.TrimSpace(s) != s:
		p.add(field, "must not start or end with white space")
		return
	}
	for _, r := range s {
		if r == '\n' && newlines {
			continue
		}
		if unicode.IsControl(r) || isBidiControl(r) || r == utf8.RuneError {
			p.add(field, "must not contain control characters, got %U", r)
			return
		}
	}
}

func isBidiControl(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f || r == 0x061c
}

// checkRange checks an optional number: 0 means unset.
func checkRange(p *problems, field string, v, lo, hi int) {
	if v != 0 && (v < lo || v > hi) {
		p.add(field, "must be between %d and %d, got %d", lo, hi, v)
	}
}

// checkRelPath returns what is wrong with a bundle-relative file path, or "".
func checkRelPath(s string) string {
	switch {
	case s == "":
		return "is required: a path relative to the bundle root such as \"ui/index.html\""
	case len(s) > maxPathLen:
		return fmt.Sprintf("must be at most %d bytes", maxPathLen)
	case strings.ContainsAny(s, "\\"):
		return fmt.Sprintf("must use forward slashes, got %q", s)
	case strings.HasPrefix(s, "/"):
		return fmt.Sprintf("must be relative to the bundle root, got %q", s)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return "must not contain control characters"
		}
	}
	for _, seg := range strings.Split(s, "/") {
		if seg == ".." {
			return fmt.Sprintf("must stay inside the bundle (no \"..\"), got %q", s)
		}
	}
	if path.Clean(s) != s || s == "." {
		return fmt.Sprintf("must be a clean path (no \".\", empty segments or trailing slash), got %q", s)
	}
	return ""
}

func (m *Manifest) checkCommands(p *problems) {
	if len(m.Commands) > 0 && m.Backend == nil {
		p.add("commands", "need a backend: add \"backend\" or remove \"commands\"")
	}
	exported := make(map[string]bool)
	for i, c := range m.Exports {
		f := fmt.Sprintf("exports[%d]", i)
		switch {
		case !slices.Contains(m.Commands, c):
			p.add(f, "%q is not in \"commands\": a plugin exports only its own backend's commands", c)
		case exported[c]:
			p.add(f, "duplicate export %q", c)
		}
		exported[c] = true
	}
	seen := make(map[string]bool)
	for i, c := range m.Commands {
		f := fmt.Sprintf("commands[%d]", i)
		switch {
		case !permissions.ValidCommand(c):
			p.add(f, "must match %s (a lower-case letter, then letters, digits or '_'), got %q", commandPattern, c)
		case seen[c]:
			p.add(f, "duplicate command %q", c)
		}
		seen[c] = true
	}
}

func catalogNames() string {
	var names []string
	for _, e := range permissions.Catalog() {
		names = append(names, e.Name)
	}
	return strings.Join(names, ", ")
}

func (m *Manifest) checkPermissions(p *problems) {
	seen := make(map[string]bool)
	for i, name := range m.Permissions {
		f := fmt.Sprintf("permissions[%d]", i)
		switch {
		case strings.HasPrefix(name, permissions.BackendPrefix):
			p.add(f, "backend permissions come from \"commands\"; list %q there", strings.TrimPrefix(name, permissions.BackendPrefix))
		case m.permissionProblem(p, f, name):
		case seen[name]:
			p.add(f, "duplicate permission %q", name)
		}
		seen[name] = true
	}
	optional := make(map[string]bool)
	for i, name := range m.OptionalPermissions {
		f := fmt.Sprintf("optional_permissions[%d]", i)
		e, _ := permissions.Lookup(name)
		switch {
		case m.permissionProblem(p, f, name):
		case e.Implicit:
			p.add(f, "%q needs no consent; list it in \"permissions\"", name)
		case seen[name]:
			p.add(f, "%q is already in \"permissions\"", name)
		case optional[name]:
			p.add(f, "duplicate permission %q", name)
		}
		optional[name] = true
	}
}

// permissionProblem adds to p, under field f, what is wrong with the name
// of a permission the manifest asks for, and reports whether it did: it
// must be a catalog permission, an application's ("app.<name>") or
// "messaging:<another plugin's id>".
func (m *Manifest) permissionProblem(p *problems, f, name string) bool {
	_, ok := permissions.Lookup(name)
	switch {
	case ok, permissions.ValidAppPermission(name):
		return false
	case permissions.ValidMessagingPermission(name):
		if name == permissions.MessagingPrefix+m.ID {
			p.add(f, "%q: a plugin calls its own commands without messaging", name)
			return true
		}
		return false
	case strings.HasPrefix(name, permissions.MessagingPrefix):
		p.add(f, "messaging permission %q: use %q then the id of the plugin to call, such as \"messaging:com.example.search\"", name, permissions.MessagingPrefix)
	case strings.HasPrefix(name, permissions.AppPrefix):
		p.add(f, "application permission %q: use %q then lower-case parts separated by dots, such as \"app.clock\"", name, permissions.AppPrefix)
	default:
		p.add(f, "unknown permission %q; known: %s, an application's own \"app.<name>\", or \"messaging:<plugin id>\"", name, catalogNames())
	}
	return true
}

// checkScopes checks fs and http patterns. A scope implies its permission
// (like Chrome's host_permissions), but a scoped permission listed without
// any scope would grant nothing and is refused.
func (m *Manifest) checkScopes(p *problems) {
	listed := make(map[string]bool)
	for _, s := range append(append([]string(nil), m.Permissions...), m.OptionalPermissions...) {
		listed[s] = true
	}
	var read, write []string
	if m.FS != nil {
		read, write = m.FS.Read, m.FS.Write
	}
	checkList(p, "fs.read", read, func(s string) error { _, err := permissions.ParsePathPattern(s); return err },
		"a pattern such as \"$DOCUMENTS/**/*.md\" starting with $DATA, $HOME, $DOCUMENTS or $DOWNLOADS")
	checkList(p, "fs.write", write, func(s string) error { _, err := permissions.ParsePathPattern(s); return err },
		"a pattern such as \"$DATA/**\" starting with $DATA, $HOME, $DOCUMENTS or $DOWNLOADS")
	checkList(p, "http", m.HTTP, func(s string) error { _, err := permissions.ParseMatchPattern(s); return err },
		"a match pattern such as \"https://api.example.com/*\"")
	for _, sc := range []struct {
		perm, field string
		n           int
	}{{"fs.read", "fs.read", len(read)}, {"fs.write", "fs.write", len(write)}, {"http", "http", len(m.HTTP)}} {
		if listed[sc.perm] && sc.n == 0 {
			p.add("permissions", "%q needs at least one pattern in %q", sc.perm, sc.field)
		}
	}
}

func checkList(p *problems, field string, list []string, parse func(string) error, want string) {
	seen := make(map[string]bool)
	for i, s := range list {
		f := fmt.Sprintf("%s[%d]", field, i)
		if err := parse(s); err != nil {
			p.add(f, "must be %s: %v", want, err)
		} else if seen[s] {
			p.add(f, "duplicate pattern %q", s)
		}
		seen[s] = true
	}
}

// ValidID reports whether id is a well-formed plugin id (the rule
// Validate applies to the manifest's "id"). It is for telling an id from a
// path on the command line and for checking ids from other sources.
func ValidID(id string) bool {
	var p problems
	checkID(&p, id)
	return len(p) == 0
}
