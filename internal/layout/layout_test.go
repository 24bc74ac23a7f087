package layout

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// module is Warden's module path. Rows name packages relative to it
// ("host/backend"); the module's root package, once there is one, is ".".
const module = "github.com/wardenhq/warden"

// rule is one row of the package map in docs/architecture.md.
type rule struct {
	// pkgs are the packages the row is about: a package, or a directory
	// and every package under it ("plugins/...").
	pkgs []string
	// imports are the Warden packages they may import directly: [none],
	// [anything], a list, or nil when the row does not say (another row
	// does).
	imports []string
	// never are packages they must not depend on at all, directly or
	// through any chain of imports: Warden packages (a trailing "/..."
	// takes the directory and everything under it) or standard ones.
	never []string
}

var (
	none     = []string{}
	anything = []string{"*"}
)

// rules is the package map. Keep it and the table in docs/architecture.md
// the same (TestDocumentMirrorsRules checks).
var rules = []rule{
	{pkgs: []string{"cmd/..."}, imports: anything},
	{pkgs: []string{"cmd/warden"}, imports: anything, never: []string{"host/webview"}},
	{pkgs: []string{"."}, imports: anything, never: []string{"cmd/...", "host/webview"}},
	{pkgs: []string{"host"},
		imports: []string{"host/audit", "host/backend", "host/fetch", "host/files", "host/ipc", "host/storage", "internal/jsonwire", "isolation", "manifest", "permissions"},
		never:   []string{"host/supervise", "host/webview/...", "host/window/...", "os/exec"}},
	{pkgs: []string{"host/window"},
		imports: []string{"host", "host/audit", "host/ipc", "host/supervise", "host/webview/webext", "isolation", "manifest"},
		never:   []string{"host/webview"}},
	{pkgs: []string{"host/webview"},
		imports: []string{"host/ipc", "host/managerui", "host/webview/webext", "isolation", "sdk/js"},
		never:   []string{"host", "host/window/..."}},
	{pkgs: []string{"host/managerwin"}, imports: []string{"host/ipc", "host/supervise"}, never: []string{"host", "host/webview", "host/window/..."}},
	{pkgs: []string{"host/managerui"}, imports: none},
	{pkgs: []string{"host/supervise"}, imports: []string{"host/ipc"}},
	{pkgs: []string{"host/fetch"}, imports: []string{"permissions"}},
	{pkgs: []string{"host/audit", "host/files", "host/ipc", "host/notify", "host/storage"}, imports: none},
	{pkgs: []string{"host/backend"}, imports: []string{"internal/jsonwire"}},
	{pkgs: []string{"host/webview/webext"}, imports: []string{"internal/atomicfile"}},
	{pkgs: []string{"isolation", "permissions", "internal/atomicfile", "internal/dbustest", "internal/helperproc", "internal/jsonwire", "internal/layout", "internal/minisigntest", "internal/proctree", "internal/strictjson", "internal/tsctest", "internal/xclose", "sdk/..."}, imports: none},
	{pkgs: []string{"internal/plugintest/..."}, imports: []string{"host/backend", "manifest", "plugins/build"}},
	{pkgs: []string{"manifest"}, imports: []string{"internal/strictjson", "permissions"}},
	{pkgs: []string{"plugins/..."}, never: []string{"host/supervise", "host/webview/...", "host/window/..."}},
	{pkgs: []string{"plugins/build"}, imports: []string{"internal/atomicfile", "manifest", "sdk/js"}},
	{pkgs: []string{"plugins/signing"}, imports: []string{"internal/atomicfile"}},
	{pkgs: []string{"plugins/scaffold"}, imports: []string{"internal/atomicfile", "manifest", "sdk/assemblyscript", "sdk/guest", "sdk/js"}},
	{pkgs: []string{"plugins/watch"}, imports: none},
	{pkgs: []string{"plugins/bundle"}, imports: []string{"internal/atomicfile", "manifest", "plugins/build", "plugins/signing"}},
	{pkgs: []string{"plugins/policy"}, imports: []string{"internal/strictjson", "permissions"}},
	{pkgs: []string{"plugins/store"}, imports: []string{"internal/atomicfile", "permissions", "plugins/signing"}},
	{pkgs: []string{"plugins/registry"}, imports: []string{"internal/atomicfile", "internal/strictjson", "manifest", "plugins/bundle", "plugins/signing"}},
	{pkgs: []string{"plugins/lint"}, imports: []string{"host", "manifest", "permissions", "plugins/bundle"}},
	{pkgs: []string{"plugins/manager"},
		imports: []string{"host", "manifest", "permissions", "plugins/bundle", "plugins/policy", "plugins/registry", "plugins/signing", "plugins/store"}},
	{pkgs: []string{"examples/feeds/backend", "examples/files/backend", "examples/hello/backend", "examples/notes/backend"}, imports: []string{"sdk/guest"}},
	{pkgs: []string{"examples/embed"}, imports: []string{".", "host", "host/webview"}, never: []string{"cmd/..."}},
}

// pending are imports the package map forbids that the tree still has
// while the change removing them is under way. The test logs them instead
// of failing, and ignores them when it follows chains of imports; it
// fails once one is gone, so that its line goes with the change.
var pending = map[string][]string{}

// cgo lists the only packages that may use cgo.
var cgo = []string{"host/webview", "internal/xclose"}

// pkg is what the test reads of one package from go list.
type pkg struct {
	ImportPath string
	Standard   bool
	Imports    []string
	CgoFiles   []string
	Error      *struct{ Err string }
}

// loadGraph returns every Warden package and everything they depend on,
// by import path, as go list sees them with cgo on (the build that ships).
func loadGraph(t *testing.T) map[string]*pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-deps", "-json=ImportPath,Standard,Imports,CgoFiles,Error", module+"/...")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	graph := map[string]*pkg{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		if p.Error != nil {
			t.Fatalf("go list %s: %s", p.ImportPath, p.Error.Err)
		}
		graph[p.ImportPath] = &p
	}
	if len(warden(graph)) == 0 {
		t.Fatal("go list found no Warden package")
	}
	return graph
}

// short names a Warden package relative to the module; other packages
// keep their import path.
func short(path string) string {
	if path == module {
		return "."
	}
	if s, ok := strings.CutPrefix(path, module+"/"); ok {
		return s
	}
	return path
}

func isWarden(path string) bool { return path == module || strings.HasPrefix(path, module+"/") }

// warden returns the Warden packages of graph, sorted.
func warden(graph map[string]*pkg) []string {
	var ps []string
	for p := range graph {
		if isWarden(p) {
			ps = append(ps, p)
		}
	}
	slices.Sort(ps)
	return ps
}

// matches reports whether pattern (a package, or "dir/...") names name.
func matches(pattern, name string) bool {
	if dir, ok := strings.CutSuffix(pattern, "/..."); ok {
		return name == dir || strings.HasPrefix(name, dir+"/")
	}
	return pattern == name
}

// rulesFor returns the rows about the Warden package path.
func rulesFor(path string) []rule {
	var rs []rule
	for _, r := range rules {
		if slices.ContainsFunc(r.pkgs, func(p string) bool { return matches(p, short(path)) }) {
			rs = append(rs, r)
		}
	}
	return rs
}

// isPending reports whether the import of to by from is tolerated for now.
func isPending(from, to string) bool {
	return isWarden(from) && isWarden(to) && slices.Contains(pending[short(from)], short(to))
}

// imports returns p's imports, sorted, without the pending ones.
func imports(graph map[string]*pkg, path string) []string {
	p := graph[path]
	if p == nil {
		return nil
	}
	var out []string
	for _, imp := range p.Imports {
		if imp != "C" && !isPending(path, imp) {
			out = append(out, imp)
		}
	}
	slices.Sort(out)
	return out
}

// deps returns every package from depends on, each with the shortest
// chain of imports that leads there ("from -> a -> b").
func deps(graph map[string]*pkg, from string) map[string]string {
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, imp := range imports(graph, p) {
			if _, seen := prev[imp]; !seen {
				prev[imp] = p
				queue = append(queue, imp)
			}
		}
	}
	chains := map[string]string{}
	for d := range prev {
		if d == from {
			continue
		}
		var steps []string
		for p := d; p != ""; p = prev[p] {
			steps = append(steps, short(p))
		}
		slices.Reverse(steps)
		chains[d] = strings.Join(steps, " -> ")
	}
	return chains
}

// TestImportRules checks the import graph of every Warden package against
// the package map.
func TestImportRules(t *testing.T) {
	graph := loadGraph(t)
	for _, path := range warden(graph) {
		name := short(path)
		rs := rulesFor(path)
		if !slices.ContainsFunc(rs, func(r rule) bool { return r.imports != nil }) {
			t.Errorf("%s has no row in the package map: add one to docs/architecture.md and to rules in internal/layout", name)
		}
		for _, r := range rs {
			if r.imports == nil || slices.Equal(r.imports, anything) {
				continue
			}
			for _, imp := range imports(graph, path) {
				if isWarden(imp) && !slices.Contains(r.imports, short(imp)) {
					t.Errorf("%s imports %s, which the package map does not allow (it may import: %s)", name, short(imp), describe(r.imports))
				}
			}
		}
		chains := deps(graph, path)
		var reached []string
		for d := range chains {
			reached = append(reached, d)
		}
		slices.Sort(reached)
		for _, r := range rs {
			for _, never := range r.never {
				for _, d := range reached {
					if matches(never, short(d)) {
						t.Errorf("%s depends on %s, which the package map forbids (%s): %s", name, short(d), never, chains[d])
					}
				}
			}
		}
		if len(graph[path].CgoFiles) > 0 && !slices.Contains(cgo, name) {
			t.Errorf("%s uses cgo; only %s may", name, strings.Join(cgo, ", "))
		}
	}
	for from, tos := range pending {
		p := graph[module+"/"+from]
		if p == nil {
			t.Errorf("pending names %s, which no longer exists: delete its line", from)
			continue
		}
		for _, to := range tos {
			if slices.Contains(p.Imports, module+"/"+to) {
				t.Logf("pending: %s still imports %s", from, to)
			} else {
				t.Errorf("%s no longer imports %s: delete it from pending in internal/layout/layout_test.go", from, to)
			}
		}
	}
	for _, r := range rules {
		for _, p := range r.pkgs {
			if full := module + "/" + p; !strings.HasSuffix(p, "/...") && p != "." && graph[full] == nil {
				t.Logf("the package map has a row for %s, which does not exist yet", p)
			}
		}
	}
}

// TestRulesCatchAForbiddenImport checks the checks on a made-up graph: a
// leaf that gains an import and the core reaching os/exec through it.
func TestRulesCatchAForbiddenImport(t *testing.T) {
	w := func(s string) string { return module + "/" + s }
	graph := map[string]*pkg{
		w("host"):           {ImportPath: w("host"), Imports: []string{w("host/audit")}},
		w("host/audit"):     {ImportPath: w("host/audit"), Imports: []string{w("host/supervise")}},
		w("host/supervise"): {ImportPath: w("host/supervise"), Imports: []string{"os/exec"}},
		"os/exec":           {ImportPath: "os/exec", Standard: true},
	}
	chains := deps(graph, w("host"))
	if got, want := chains["os/exec"], "host -> host/audit -> host/supervise -> os/exec"; got != want {
		t.Errorf("chain to os/exec: %q, want %q", got, want)
	}
	var hostRule rule
	for _, r := range rulesFor(w("host")) {
		if r.never != nil {
			hostRule = r
		}
	}
	forbidden := 0
	for d := range chains {
		for _, never := range hostRule.never {
			if matches(never, short(d)) {
				forbidden++
			}
		}
	}
	if forbidden != 2 { // host/supervise and os/exec
		t.Errorf("host's row forbids %d of its made-up dependencies, want 2", forbidden)
	}
}

// describe renders an imports list as the package map's table does.
func describe(imports []string) string {
	switch {
	case imports == nil:
		return "—"
	case slices.Equal(imports, anything):
		return "anything"
	case len(imports) == 0:
		return "none"
	}
	return strings.Join(imports, ", ")
}

var code = regexp.MustCompile("`([^`]+)`")

// names returns the backquoted names of a table cell.
func names(cell string) []string {
	var out []string
	for _, m := range code.FindAllStringSubmatch(cell, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestDocumentMirrorsRules checks that the package map in
// docs/architecture.md (the table between the package-map comments) says
// what rules says, row by row.
func TestDocumentMirrorsRules(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(b), "<!-- package-map -->")
	if ok {
		table, _, ok = strings.Cut(table, "<!-- /package-map -->")
	}
	if !ok {
		t.Fatal("docs/architecture.md has no <!-- package-map --> ... <!-- /package-map --> table")
	}
	var doc []string
	for _, line := range strings.Split(table, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") || strings.HasPrefix(line, "|---") || strings.HasPrefix(line, "| package") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) < 3 {
			t.Errorf("docs/architecture.md: package map row with fewer than 3 cells: %s", line)
			continue
		}
		var imps []string
		switch c := strings.TrimSpace(cells[1]); c {
		case "anything":
			imps = anything
		case "none":
			imps = none
		case "—":
		default:
			imps = names(c)
		}
		doc = append(doc, row(names(cells[0]), imps, names(cells[2])))
	}
	var want []string
	for _, r := range rules {
		want = append(want, row(r.pkgs, r.imports, r.never))
	}
	for i := range max(len(doc), len(want)) {
		var d, w string
		if i < len(doc) {
			d = doc[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if d != w {
			t.Errorf("package map row %d:\n docs/architecture.md: %s\n internal/layout:      %s", i+1, d, w)
		}
	}
}

func row(pkgs, imports, never []string) string {
	n := "—"
	if len(never) > 0 {
		n = strings.Join(never, ", ")
	}
	return strings.Join(pkgs, ", ") + " | " + describe(imports) + " | " + n
}
