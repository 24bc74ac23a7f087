package lint

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/manifest"
	"github.com/wardenhq/warden/permissions"
)

// usage is what lint learned about the commands a plugin uses.
type usage struct {
	uses []use
	// pageUnknown and backendUnknown are set when a side uses a command
	// lint cannot read (or, for the backend, has no Go sources): then no
	// permission that side could use is reported unused.
	pageUnknown, backendUnknown bool
}

// checkUsage reports commands used but not declared, used from the wrong
// side or unknown, and permissions declared but never used.
// loc gives the line and column of a manifest field.
func checkUsage(fs *findings, m *manifest.Manifest, u usage, loc func(field string) (int, int)) {
	table := map[string]host.Capability{}
	byPerm := map[string][]host.Capability{}
	for _, c := range host.BuiltinCommands() {
		table[c.Command] = c
		byPerm[c.Permission] = append(byPerm[c.Permission], c)
	}
	declared := map[string]bool{}
	for _, p := range declaredPermissions(m) {
		declared[p] = true
	}
	used := map[string]bool{}
	reported := map[string]bool{} // permission.undeclared once per permission and file
	for _, us := range u.uses {
		if !us.literal {
			fs.add(Warning, RuleInvokeDynamic, us.file, us.line, us.column,
				"lint cannot tell which command this %s, so it does not report the permissions the %s may use as unused; pass the command as a string literal where you can", dynamicWhat(us.caller), us.caller)
			continue
		}
		cmd := us.command
		if name, ok := strings.CutPrefix(cmd, permissions.BackendPrefix); ok {
			switch {
			case us.caller == "backend":
				fs.add(Error, RuleCommandCaller, us.file, us.line, us.column, "the backend calls %q, but only the page may call backend commands; call the Go function directly", cmd)
			case !slices.Contains(m.Commands, name):
				fs.add(Error, RuleCommandUndeclared, us.file, us.line, us.column, "the page invokes %q, but %q is not in the manifest's \"commands\"; add it there (and export it from the backend), or fix the name", cmd, name)
			}
			continue
		}
		if strings.HasPrefix(cmd, permissions.AppPrefix) {
			// An embedding application's command: its permission is the
			// application's to say.
			continue
		}
		c, ok := table[cmd]
		if !ok {
			fs.add(Error, RuleCommandUnknown, us.file, us.line, us.column, "%q is not a command Warden %s offers; known: %s, backend.<command> and an application's app.<name>", cmd, host.Version, knownCommands(table))
			continue
		}
		side := host.FromPage
		if us.caller == "backend" {
			side = host.FromBackend
		}
		if c.Callers&side == 0 {
			fs.add(Error, RuleCommandCaller, us.file, us.line, us.column, "the %s may not call %q: only the %s may; move the call there", us.caller, cmd, c.Callers)
			continue
		}
		used[c.Permission] = true
		if c.Permission == permissions.MessagingPrefix {
			// Decided on messaging:<the plugin called>, which lint cannot
			// read from the call: one such permission must be declared.
			if !slices.ContainsFunc(declaredPermissions(m), permissions.ValidMessagingPermission) && !reported[c.Permission+"\x00"+us.file] {
				reported[c.Permission+"\x00"+us.file] = true
				fs.add(Error, RulePermissionUndeclared, us.file, us.line, us.column, "%q needs \"messaging:<id of the plugin it calls>\" in \"permissions\", which the manifest does not declare", cmd)
			}
			continue
		}
		if e, _ := permissions.Lookup(c.Permission); e.Implicit {
			continue // allowed without being declared
		}
		if !declared[c.Permission] && !reported[c.Permission+"\x00"+us.file] {
			reported[c.Permission+"\x00"+us.file] = true
			fs.add(Error, RulePermissionUndeclared, us.file, us.line, us.column, "%q needs the %q permission, which the manifest does not declare; %s", cmd, c.Permission, howToDeclare(c.Permission))
		}
	}
	for _, p := range declaredPermissions(m) {
		if e, _ := permissions.Lookup(p); used[p] || e.Implicit || permissions.ValidAppPermission(p) {
			continue // implicit permissions are never asked for
		}
		line, col := loc(permissionField(m, p))
		caps := byPerm[p]
		if permissions.ValidMessagingPermission(p) {
			if used[permissions.MessagingPrefix] {
				continue
			}
			caps = byPerm[permissions.MessagingPrefix]
		}
		if len(caps) == 0 {
			fs.add(Warning, RulePermissionUnused, manifest.FileName, line, col, "%q is declared, but no command of Warden %s uses it yet; remove it until one does, so that users are not asked for it", p, host.Version)
			continue
		}
		var page, back bool
		for _, c := range caps {
			page = page || c.Callers&host.FromPage != 0
			back = back || c.Callers&host.FromBackend != 0
		}
		if (page && u.pageUnknown) || (back && u.backendUnknown) {
			continue
		}
		var cmds []string
		for _, c := range caps {
			cmds = append(cmds, c.Command)
		}
		fs.add(Warning, RulePermissionUnused, manifest.FileName, line, col, "%q is declared, but neither the page nor the backend uses it (%s); remove it, so that users are not asked for what the plugin does not need", p, strings.Join(cmds, ", "))
	}
}

// declaredPermissions returns the permissions the manifest declares:
// listed, optional, or implied by a scope.
func declaredPermissions(m *manifest.Manifest) []string {
	out := slices.Concat(m.Permissions, m.OptionalPermissions)
	if m.FS != nil && len(m.FS.Read) > 0 {
		out = append(out, "fs.read")
	}
	if m.FS != nil && len(m.FS.Write) > 0 {
		out = append(out, "fs.write")
	}
	if len(m.HTTP) > 0 {
		out = append(out, "http")
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// howToDeclare says how a manifest declares permission p.
func howToDeclare(p string) string {
	switch p {
	case "http":
		return "add the sites it fetches to \"http\", such as \"https://api.example.com/*\""
	case "fs.read", "fs.write":
		return fmt.Sprintf("add the files it uses to \"fs\": {%q: [...]}, such as \"$DOCUMENTS/**/*.md\"", strings.TrimPrefix(p, "fs."))
	}
	return fmt.Sprintf("add %q to \"permissions\"", p)
}

func dynamicWhat(caller string) string {
	if caller == "backend" {
		return "guest SDK call uses"
	}
	return "warden.invoke uses"
}

func knownCommands(table map[string]host.Capability) string {
	var names []string
	for n := range table {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// permissionField returns the manifest field that declares p.
func permissionField(m *manifest.Manifest, p string) string {
	if i := slices.Index(m.Permissions, p); i >= 0 {
		return fmt.Sprintf("permissions[%d]", i)
	}
	if i := slices.Index(m.OptionalPermissions, p); i >= 0 {
		return fmt.Sprintf("optional_permissions[%d]", i)
	}
	return p // a scope list: "http", "fs.read", "fs.write"
}
