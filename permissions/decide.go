package permissions

import (
	"fmt"
	"net/url"
	"path/filepath"
	"time"
)

// Declared is what a plugin's manifest asks for.
type Declared struct {
	// Permissions holds catalog names, application permissions ("app.*")
	// and messaging permissions ("messaging:<plugin id>"; never
	// "backend.*"). Optional permissions belong here too:
	// they still need a grant to be used.
	Permissions []string
	// Commands holds backend command names without the "backend." prefix.
	Commands []string
	// FSRead and FSWrite scope the fs.read and fs.write permissions.
	FSRead  []PathPattern
	FSWrite []PathPattern
	// HTTP scopes the http permission.
	HTTP []MatchPattern
}

// Grant is one consent record.
type Grant struct {
	Permission string
	GrantedAt  time.Time
}

// Grants holds the user's consent records by permission name.
type Grants map[string]Grant

// Request is one permission question.
type Request struct {
	// Permission is the permission needed (the core's capability table
	// says which each command needs).
	Permission string
	// Path is the path for fs.read and fs.write, already returned by
	// ResolvePath.
	Path string
	// URL is the URL about to be fetched for http (ask again for each
	// redirect target).
	URL *url.URL
}

// Subject is a compiled, immutable view of one plugin's declared
// permissions, grants, admin ceiling and scope environment. Build it once,
// and again when grants or policy change (callers swap it atomically); it is
// safe for concurrent use.
type Subject struct {
	// perms holds every declared permission, implicit ones included, with
	// the outcome of the ceiling and grant checks ("" when they pass).
	perms   map[string]Reason
	fsRead  []rootedPattern
	fsWrite []rootedPattern
	http    []MatchPattern
}

// rootedPattern is a path pattern with its variable's resolved directory.
type rootedPattern struct {
	pat  PathPattern
	root string
}

// Compile checks and compiles a plugin's permission state. It resolves the
// env roots' symlinks once (roots that do not exist yet are resolved as far
// as they exist). Patterns whose variable is missing from env match nothing.
// Unknown permission names and invalid command names wrap
// [ErrUnknownPermission]; bad env entries and unparsed (zero) patterns wrap
// [ErrBadPath].
func Compile(d Declared, g Grants, c Ceiling, env Env) (*Subject, error) {
	roots := make(map[string]string, len(env))
	for k, v := range env {
		if !validVar(k) {
			return nil, fmt.Errorf("compile permissions: env: %w: unknown variable %q", ErrBadPath, k)
		}
		if !filepath.IsAbs(v) {
			return nil, fmt.Errorf("compile permissions: env %s: %w: %q is not absolute", k, ErrBadPath, v)
		}
		r, err := resolveClean(filepath.Clean(v))
		if err != nil {
			return nil, fmt.Errorf("compile permissions: env %s: %w", k, err)
		}
		roots[k] = r
	}

	s := &Subject{perms: make(map[string]Reason, len(d.Permissions)+len(d.Commands)+2)}
	decide := func(perm string, implicit bool) Reason {
		switch {
		case !c.Allows(perm):
			return ReasonAboveCeiling
		case implicit:
			return ""
		}
		if _, ok := g[perm]; !ok {
			return ReasonNotGranted
		}
		return ""
	}
	for _, e := range catalog {
		if e.Implicit {
			s.perms[e.Name] = decide(e.Name, true)
		}
	}
	for _, p := range d.Permissions {
		e, ok := Lookup(p)
		switch {
		case ok:
			s.perms[p] = decide(p, e.Implicit)
		case ValidAppPermission(p), ValidMessagingPermission(p):
			s.perms[p] = decide(p, false)
		default:
			return nil, fmt.Errorf("compile permissions: %w: %q", ErrUnknownPermission, p)
		}
	}
	for _, cmd := range d.Commands {
		if !ValidCommand(cmd) {
			return nil, fmt.Errorf("compile permissions: %w: invalid command name %q", ErrUnknownPermission, cmd)
		}
		perm := BackendPrefix + cmd
		s.perms[perm] = decide(perm, true)
	}

	var err error
	if s.fsRead, err = rootPatterns(d.FSRead, roots); err != nil {
		return nil, fmt.Errorf("compile permissions: fs.read: %w", err)
	}
	if s.fsWrite, err = rootPatterns(d.FSWrite, roots); err != nil {
		return nil, fmt.Errorf("compile permissions: fs.write: %w", err)
	}
	for _, m := range d.HTTP {
		if m.raw == "" {
			return nil, fmt.Errorf("compile permissions: http: %w: unparsed match pattern", errBadMatchPattern)
		}
	}
	s.http = append([]MatchPattern(nil), d.HTTP...)
	return s, nil
}

func rootPatterns(pats []PathPattern, roots map[string]string) ([]rootedPattern, error) {
	out := make([]rootedPattern, 0, len(pats))
	for _, p := range pats {
		if p.raw == "" {
			return nil, fmt.Errorf("%w: unparsed path pattern", ErrBadPath)
		}
		root, ok := roots[p.vr]
		if !ok {
			continue
		}
		out = append(out, rootedPattern{pat: p, root: root})
	}
	return out, nil
}

// Decide answers one request: nil means allow, otherwise a [*Denial]. The
// checks run in this order and the first failure decides: unknown
// permission, not declared, above the admin ceiling, not granted (catalog
// permissions that are not implicit need a grant), out of scope (fs.read
// and fs.write paths, http URLs). Nothing later turns a denial into an allow.
//
// Decide does not allocate when it allows; its cost is one map lookup plus,
// for scoped permissions, one match per declared pattern.
func (s *Subject) Decide(req Request) error {
	perm := req.Permission
	reason, declared := s.perms[perm]
	if !declared {
		if !known(perm) {
			return &Denial{Reason: ReasonUnknownPermission, Permission: perm}
		}
		return &Denial{Reason: ReasonNotDeclared, Permission: perm, Detail: "the plugin's manifest does not ask for it"}
	}
	switch reason {
	case "":
	case ReasonAboveCeiling:
		return &Denial{Reason: reason, Permission: perm, Detail: "blocked by admin policy"}
	default:
		return &Denial{Reason: reason, Permission: perm, Detail: "the user has not granted it"}
	}
	switch perm {
	case "fs.read":
		return s.decidePath(perm, s.fsRead, req.Path)
	case "fs.write":
		return s.decidePath(perm, s.fsWrite, req.Path)
	case "http":
		for i := range s.http {
			if s.http[i].Match(req.URL) {
				return nil
			}
		}
		return &Denial{Reason: ReasonOutOfScope, Permission: perm, Detail: describeURL(req.URL) + " matches no declared http scope"}
	}
	return nil
}

func (s *Subject) decidePath(perm string, pats []rootedPattern, path string) error {
	// Only paths from ResolvePath are expected; Match refuses anything that
	// is not absolute and clean rather than trusting it.
	for i := range pats {
		if pats[i].pat.Match(pats[i].root, path) {
			return nil
		}
	}
	shown := path
	if shown == "" {
		shown = "empty path"
	}
	return &Denial{Reason: ReasonOutOfScope, Permission: perm, Detail: fmt.Sprintf("%s matches no declared %s scope", shown, perm)}
}

// describeURL renders u for a denial without its query, which may hold
// secrets.
func describeURL(u *url.URL) string {
	if u == nil {
		return "no URL"
	}
	v := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	return v.String()
}

// known reports whether perm is a catalog or backend command permission.
func known(perm string) bool {
	if catalogIndex(perm) >= 0 || ValidAppPermission(perm) || ValidMessagingPermission(perm) {
		return true
	}
	_, ok := backendCommand(perm)
	return ok
}
