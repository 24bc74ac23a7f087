package lint

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
)

// Severity says whether a finding stops `warden pack` (Error) or not
// (Warning).
type Severity uint8

// Severities.
const (
	Error Severity = iota + 1
	Warning
)

// String returns "error" or "warning".
func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return "Severity(" + strconv.Itoa(int(s)) + ")"
}

// MarshalText writes the severity as its String, for --json.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Rule ids. They are stable: tools and people may filter on them.
const (
	// RuleSchema: manifest.json does not parse or breaks a manifest rule.
	RuleSchema = "manifest.schema"
	// RuleFiles: a file the manifest names is missing or not a regular
	// file inside the plugin.
	RuleFiles = "manifest.files"
	// RuleCSPUnsafe: content_security_policy would loosen Warden's default.
	RuleCSPUnsafe = "csp.unsafe"
	// RuleCSPInline: a page has inline script or event handler attributes,
	// which Warden's policy does not run.
	RuleCSPInline = "csp.inline"
	// RulePermissionUnused: a declared permission that nothing uses.
	RulePermissionUnused = "permission.unused"
	// RulePermissionUndeclared: a command whose permission the manifest
	// does not declare.
	RulePermissionUndeclared = "permission.undeclared"
	// RuleCommandUndeclared: the page invokes backend.<name> but <name>
	// is not in "commands".
	RuleCommandUndeclared = "command.undeclared"
	// RuleCommandUnknown: a command no Warden capability answers to.
	RuleCommandUnknown = "command.unknown"
	// RuleCommandCaller: a command invoked from the side that may not
	// call it (event.emit from the page, backend.* from the backend).
	RuleCommandCaller = "command.caller"
	// RuleInvokeDynamic: a warden.invoke whose command lint cannot read.
	RuleInvokeDynamic = "invoke.dynamic"
	// RuleBackendOpaque: a backend without Go sources, whose use of
	// capabilities lint cannot tell.
	RuleBackendOpaque = "backend.opaque"
	// RuleFileOversized: a file, or the plugin as a whole, near or over
	// what a bundle may hold.
	RuleFileOversized = "file.oversized"
	// RuleFileCount: more files than a bundle may hold, or near it.
	RuleFileCount = "file.count"
	// RuleIconsMissing: no icons, or not the sizes Warden shows.
	RuleIconsMissing = "icons.missing"
	// RuleIconsInvalid: an icon that is not a PNG of its declared size.
	RuleIconsInvalid = "icons.invalid"
	// RuleHostRange: the host range excludes this Warden's version.
	RuleHostRange = "host.range"
	// RuleBundle: the bundle itself is refused (structure, hashes,
	// dev_scopes).
	RuleBundle = "bundle.invalid"
)

// Finding is one problem lint found.
type Finding struct {
	Severity Severity `json:"severity"`
	// Rule is the stable rule id, such as "permission.unused".
	Rule string `json:"rule"`
	// File is the file's slash path inside the plugin ("ui/app.js"),
	// "manifest.json" for manifest problems, "" for the plugin as a whole.
	File string `json:"file"`
	// Line and Column are 1-based, 0 when not known.
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
	// Message says what is wrong and what to do.
	Message string `json:"message"`
}

// String renders the finding as compilers do:
// "ui/app.js:12:7: error: ... [permission.undeclared]".
func (f Finding) String() string { return f.Format(f.File) }

// Format is String with the file shown as name (a path the reader can
// open, such as the plugin directory joined with File).
func (f Finding) Format(name string) string {
	loc := name
	if loc == "" {
		loc = "."
	}
	if f.Line > 0 {
		loc += ":" + strconv.Itoa(f.Line)
		if f.Column > 0 {
			loc += ":" + strconv.Itoa(f.Column)
		}
	}
	return fmt.Sprintf("%s: %s: %s [%s]", loc, f.Severity, f.Message, f.Rule)
}

// Count returns how many findings are errors and how many warnings.
func Count(fs []Finding) (errors, warnings int) {
	for _, f := range fs {
		switch f.Severity {
		case Error:
			errors++
		case Warning:
			warnings++
		}
	}
	return errors, warnings
}

// sortFindings orders findings by file, position, rule and message, so
// that the output is the same every time.
func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column),
			cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Message, b.Message))
	})
}

// findings collects findings.
type findings []Finding

func (fs *findings) add(sev Severity, rule, file string, line, col int, format string, args ...any) {
	*fs = append(*fs, Finding{Severity: sev, Rule: rule, File: file, Line: line, Column: col, Message: fmt.Sprintf(format, args...)})
}
