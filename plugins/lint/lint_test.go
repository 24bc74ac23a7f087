package lint

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"image"
	"image/png"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wardenhq/warden/plugins/bundle"
)

// cleanManifest is a manifest lint finds nothing wrong with, for the
// plugin cleanFiles makes.
const cleanManifest = `{
  "manifest_version": 1,
  "id": "com.example.lintee",
  "name": "Lintee",
  "version": "1.0.0",
  "host": ">=0.1.0 <1.0.0",
  "ui": { "entry": "ui/index.html" },
  "backend": { "wasm": "backend/lintee.wasm" },
  "commands": ["save"],
  "permissions": ["storage"],
  "reasons": { "storage": "Keeps what you save." },
  "icons": { "16": "icons/16.png", "48": "icons/48.png", "128": "icons/128.png" }
}
`

// pngOf returns a PNG image of w x h pixels.
func pngOf(t testing.TB, w, h int) string {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// cleanFiles are the files of a plugin lint finds nothing wrong with.
func cleanFiles(t testing.TB) map[string]string {
	return map[string]string{
		"manifest.json":  cleanManifest,
		"ui/index.html":  "<!doctype html>\n<title>Lintee</title>\n<button id=save>Save</button>\n<script src=\"app.js\"></script>\n",
		"ui/app.js":      "document.getElementById('save').addEventListener('click', () => warden.invoke('backend.save', {}));\n",
		"backend/go.txt": "not a Go file",
		"backend/main.go": "package main\n\nimport \"github.com/wardenhq/warden/sdk/guest\"\n\n" +
			"//go:wasmexport save\nfunc save() int32 {\n\treturn guest.HandleJSON(func(struct{}) (bool, error) { return true, guest.StorageSet(\"k\", \"v\") })\n}\n\nfunc main() {}\n",
		"icons/16.png":  pngOf(t, 16, 16),
		"icons/48.png":  pngOf(t, 48, 48),
		"icons/128.png": pngOf(t, 128, 128),
	}
}

func writeTree(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// edit returns a change to cleanFiles that replaces old with new in file.
func edit(file, old, new string) func(t *testing.T, files map[string]string, dir string) {
	return func(t *testing.T, files map[string]string, _ string) {
		if !strings.Contains(files[file], old) {
			t.Fatalf("%s has no %q", file, old)
		}
		files[file] = strings.Replace(files[file], old, new, 1)
	}
}

func TestCleanPlugin(t *testing.T) {
	t.Parallel()
	fs, err := Lint(t.Context(), writeTree(t, cleanFiles(t)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		t.Errorf("clean plugin: %s", f)
	}
}

// TestBrokenPlugins plants one problem at a time in a clean plugin and
// checks that lint finds it, with its rule, file and severity.
func TestBrokenPlugins(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(t *testing.T, files map[string]string, dir string)
		after  func(t *testing.T, dir string) // on disk, after writing
		rule   string
		file   string
		line   int // 0: any
		sev    Severity
		msg    string
	}{
		{name: "empty name", change: edit("manifest.json", `"name": "Lintee"`, `"name": ""`),
			rule: RuleSchema, file: "manifest.json", line: 4, sev: Error, msg: "name: is required"},
		{name: "unknown field", change: edit("manifest.json", `"commands"`, `"comands": [], "commands"`),
			rule: RuleSchema, file: "manifest.json", line: 9, sev: Error, msg: `unknown field "comands"`},
		{name: "not JSON", change: edit("manifest.json", `"id"`, `id`),
			rule: RuleSchema, file: "manifest.json", line: 3, sev: Error, msg: "invalid JSON"},
		{name: "reason for an undeclared permission", change: edit("manifest.json", `"storage": "Keeps`, `"dialog": "Keeps`),
			rule: RuleSchema, file: "manifest.json", line: 11, sev: Error, msg: `"dialog" is neither a declared permission`},
		{name: "no manifest", change: func(_ *testing.T, files map[string]string, _ string) { delete(files, "manifest.json") },
			rule: RuleSchema, file: "manifest.json", sev: Error, msg: "has no manifest.json"},
		{name: "ui entry missing", change: func(_ *testing.T, files map[string]string, _ string) { delete(files, "ui/index.html") },
			rule: RuleFiles, file: "manifest.json", line: 7, sev: Error, msg: `"ui/index.html" does not exist`},
		{name: "wasm missing without sources", change: func(_ *testing.T, files map[string]string, _ string) { delete(files, "backend/main.go") },
			rule: RuleFiles, file: "manifest.json", line: 8, sev: Error, msg: `"backend/lintee.wasm" does not exist`},
		{name: "symlink in ui", after: func(t *testing.T, dir string) {
			if err := os.Symlink("/etc/passwd", filepath.Join(dir, "ui", "passwd")); err != nil {
				t.Fatal(err)
			}
		}, rule: RuleFiles, file: "ui/passwd", sev: Error, msg: "symlink"},
		{name: "unsafe-eval", change: edit("manifest.json", `"commands"`, `"content_security_policy": "script-src 'self' 'unsafe-eval'", "commands"`),
			rule: RuleCSPUnsafe, file: "manifest.json", line: 9, sev: Error, msg: "script-src 'unsafe-eval' lets the page run strings as code"},
		{name: "unsafe-inline", change: edit("manifest.json", `"commands"`, `"content_security_policy": "default-src 'self' 'unsafe-inline'", "commands"`),
			rule: RuleCSPUnsafe, file: "manifest.json", sev: Error, msg: "default-src 'unsafe-inline' runs inline scripts"},
		{name: "remote connect", change: edit("manifest.json", `"commands"`, `"content_security_policy": "connect-src https://api.example.com", "commands"`),
			rule: RuleCSPUnsafe, file: "manifest.json", sev: Error, msg: "connect-src https://api.example.com connects to a remote origin"},
		{name: "wildcard", change: edit("manifest.json", `"commands"`, `"content_security_policy": "img-src 'self'; script-src *", "commands"`),
			rule: RuleCSPUnsafe, file: "manifest.json", sev: Error, msg: "script-src * is a wildcard"},
		{name: "inline handler", change: edit("ui/index.html", "<button id=save>", `<button id=save onclick="save()">`),
			rule: RuleCSPInline, file: "ui/index.html", line: 3, sev: Warning, msg: "onclick attribute is inline script"},
		{name: "inline script", change: edit("ui/index.html", "<title>", "<script>\n  warden.invoke('storage.list', {});\n</script><title>"),
			rule: RuleCSPInline, file: "ui/index.html", line: 2, sev: Warning, msg: "inline <script> does not run"},
		{name: "unused permission", change: edit("manifest.json", `"permissions": ["storage"]`, `"permissions": ["storage"], "http": ["https://api.example.com/*"]`),
			rule: RulePermissionUnused, file: "manifest.json", line: 10, sev: Warning, msg: `"http" is declared, but neither the page nor the backend uses it`},
		{name: "unused permission of two commands", change: edit("manifest.json", `"permissions": ["storage"]`, `"permissions": ["storage", "dialog"]`),
			rule: RulePermissionUnused, file: "manifest.json", line: 10, sev: Warning, msg: `"dialog" is declared, but neither the page nor the backend uses it (dialog.open, dialog.save)`},
		{name: "messaging without a plugin to call", change: edit("ui/app.js", "\n", "\nwarden.invoke(\"messaging.call\", {plugin: \"com.example.search\", command: \"find\"});\n"),
			rule: RulePermissionUndeclared, file: "ui/app.js", line: 2, sev: Error, msg: `"messaging.call" needs "messaging:<id of the plugin it calls>"`},
		{name: "unused messaging permission", change: edit("manifest.json", `"permissions": ["storage"]`, `"permissions": ["storage", "messaging:com.example.search"]`),
			rule: RulePermissionUnused, file: "manifest.json", line: 10, sev: Warning, msg: `"messaging:com.example.search" is declared, but neither the page nor the backend uses it (messaging.call)`},
		{name: "undeclared from the page", change: edit("ui/app.js", "\n", "\nwarden.invoke(\"http.fetch\", {url: \"https://x.example/\"});\n"),
			rule: RulePermissionUndeclared, file: "ui/app.js", line: 2, sev: Error, msg: `"http.fetch" needs the "http" permission`},
		{name: "undeclared from the backend", change: edit("backend/main.go", `guest.StorageSet("k", "v")`, `guest.WriteFile("$DATA/x", nil)`),
			rule: RulePermissionUndeclared, file: "backend/main.go", line: 7, sev: Error, msg: `"fs.write" needs the "fs.write" permission`},
		{name: "undeclared through guest.Call", change: edit("backend/main.go", `guest.StorageSet("k", "v")`, `guest.Call("fs.read", nil, nil)`),
			rule: RulePermissionUndeclared, file: "backend/main.go", line: 7, sev: Error, msg: `"fs.read" needs the "fs.read" permission`},
		{name: "backend command not in commands", change: edit("ui/app.js", "backend.save", "backend.load"),
			rule: RuleCommandUndeclared, file: "ui/app.js", line: 1, sev: Error, msg: `"load" is not in the manifest's "commands"`},
		{name: "unknown command", change: edit("ui/app.js", "\n", "\nwarden.invoke('storage.fetch', {});\n"),
			rule: RuleCommandUnknown, file: "ui/app.js", line: 2, sev: Error, msg: `"storage.fetch" is not a command`},
		{name: "backend-only from the page", change: edit("ui/app.js", "\n", "\nwarden.invoke('event.emit', {event: 'x'});\n"),
			rule: RuleCommandCaller, file: "ui/app.js", line: 2, sev: Error, msg: `may not call "event.emit"`},
		{name: "backend command from the backend", change: edit("backend/main.go", `guest.StorageSet("k", "v")`, `guest.Call("backend.save", nil, nil)`),
			rule: RuleCommandCaller, file: "backend/main.go", line: 7, sev: Error, msg: "only the page may call backend commands"},
		{name: "computed command", change: edit("ui/app.js", "\n", "\nconst c = 'storage.get'; warden.invoke(c, {});\n"),
			rule: RuleInvokeDynamic, file: "ui/app.js", line: 2, sev: Warning, msg: "cannot tell which command"},
		{name: "wasm only", change: func(_ *testing.T, files map[string]string, _ string) {
			delete(files, "backend/main.go")
			files["backend/lintee.wasm"] = "\x00asm\x01\x00\x00\x00"
		}, rule: RuleBackendOpaque, file: "manifest.json", line: 8, sev: Warning, msg: "cannot tell which capabilities backend/lintee.wasm uses"},
		{name: "oversized file", after: func(t *testing.T, dir string) {
			if err := os.Truncate(writeEmpty(t, dir, "ui/video.webm"), warnFileSize+1); err != nil {
				t.Fatal(err)
			}
		}, rule: RuleFileOversized, file: "ui/video.webm", sev: Warning, msg: "the file is 16.0 MiB"},
		{name: "over the bundle limit", after: func(t *testing.T, dir string) {
			if err := os.Truncate(writeEmpty(t, dir, "ui/huge.bin"), bundle.DefaultLimits.MaxTotalSize+1); err != nil {
				t.Fatal(err)
			}
		}, rule: RuleFileOversized, file: "", sev: Error, msg: "more than the 256.0 MiB a bundle may hold"},
		{name: "many files", after: func(t *testing.T, dir string) {
			for i := range warnFiles {
				writeEmpty(t, dir, fmt.Sprintf("ui/many/%d.js", i))
			}
		}, rule: RuleFileCount, file: "", sev: Warning, msg: "files; a bundle may hold 9998"},
		{name: "no icons", change: edit("manifest.json", `"icons"`, `"x_icons"`),
			rule: RuleIconsMissing, file: "manifest.json", sev: Warning, msg: "declares no icons"},
		{name: "no large icon", change: edit("manifest.json", `, "128": "icons/128.png"`, ``),
			rule: RuleIconsMissing, file: "manifest.json", line: 12, sev: Warning, msg: "no icon of size 128"},
		{name: "icon of the wrong size", change: func(t *testing.T, files map[string]string, _ string) { files["icons/48.png"] = pngOf(t, 32, 32) },
			rule: RuleIconsInvalid, file: "manifest.json", line: 12, sev: Error, msg: "32x32 pixels, the manifest says 48x48"},
		{name: "icon not a PNG", change: func(_ *testing.T, files map[string]string, _ string) { files["icons/16.png"] = "<svg></svg>" },
			rule: RuleIconsInvalid, file: "manifest.json", line: 12, sev: Error, msg: "PNG signature"},
		{name: "icon key not a size", change: edit("manifest.json", `"16":`, `"small":`),
			rule: RuleIconsInvalid, file: "manifest.json", line: 12, sev: Error, msg: "size in pixels"},
		{name: "host range excludes this Warden", change: edit("manifest.json", `">=0.1.0 <1.0.0"`, `">=2.0.0"`),
			rule: RuleHostRange, file: "manifest.json", line: 6, sev: Error, msg: `host ">=2.0.0" excludes this Warden`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			files := cleanFiles(t)
			if tt.change != nil {
				tt.change(t, files, "")
			}
			if tt.name == "no icons" {
				// "x_icons" is not a field: keep the manifest valid.
				files["manifest.json"] = strings.Replace(files["manifest.json"], `, "x_icons": { "16": "icons/16.png", "48": "icons/48.png", "128": "icons/128.png" }`, "", 1)
				files["manifest.json"] = strings.Replace(files["manifest.json"], `,
  "x_icons": { "16": "icons/16.png", "48": "icons/48.png", "128": "icons/128.png" }`, "", 1)
			}
			dir := writeTree(t, files)
			if tt.after != nil {
				tt.after(t, dir)
			}
			fs, err := Lint(t.Context(), dir)
			if err != nil {
				t.Fatal(err)
			}
			var found *Finding
			for i, f := range fs {
				if f.Rule == tt.rule && f.File == tt.file && strings.Contains(f.Message, tt.msg) {
					found = &fs[i]
				}
			}
			if found == nil {
				t.Fatalf("no %s finding in %s with %q; found:\n%s", tt.rule, tt.file, tt.msg, list(fs))
			}
			if found.Severity != tt.sev || (tt.line != 0 && found.Line != tt.line) {
				t.Errorf("finding %s: want severity %s, line %d", found, tt.sev, tt.line)
			}
			if errs, _ := Count(fs); tt.sev == Warning && errs > 0 {
				t.Errorf("a warning's plant gave errors:\n%s", list(fs))
			}
		})
	}
}

func writeEmpty(t *testing.T, dir, name string) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func list(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("  " + f.String() + "\n")
	}
	return b.String()
}

// TestExamplesHaveNoErrors lints the example plugins as authors get
// them.
func TestExamplesHaveNoErrors(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"hello", "notes", "files", "embed/plugin"} {
		fs, err := Lint(t.Context(), filepath.Join("..", "..", "examples", filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		if errs, _ := Count(fs); errs > 0 {
			t.Errorf("examples/%s:\n%s", name, list(fs))
		}
	}
}

// TestLintBundle lints a packed bundle: what it finds in its sources, but
// the backend's capabilities cannot be told from the .wasm.
func TestLintBundle(t *testing.T) {
	t.Parallel()
	files := cleanFiles(t)
	delete(files, "backend/main.go")
	files["backend/lintee.wasm"] = "\x00asm\x01\x00\x00\x00"
	files["ui/app.js"] += "warden.invoke('http.fetch', {});\n"
	out := filepath.Join(t.TempDir(), "lintee.wbundle")
	if err := bundle.Pack(t.Context(), writeTree(t, files), out, bundle.PackOptions{}); err != nil {
		t.Fatal(err)
	}
	fs, err := Lint(t.Context(), out)
	if err != nil {
		t.Fatal(err)
	}
	var rules []string
	for _, f := range fs {
		rules = append(rules, f.Rule+" "+f.File)
	}
	if want := []string{RuleBackendOpaque + " manifest.json", RulePermissionUndeclared + " ui/app.js"}; !maps.Equal(set(rules), set(want)) {
		t.Errorf("bundle findings:\n%swant %v", list(fs), want)
	}
	notZip := filepath.Join(t.TempDir(), "x.wbundle")
	os.WriteFile(notZip, []byte("not a zip"), 0o644)
	if fs, err := Lint(t.Context(), notZip); err != nil || len(fs) != 1 || fs[0].Rule != RuleBundle || fs[0].Severity != Error {
		t.Errorf("Lint(not a zip) = %v, %v", fs, err)
	}
	if _, err := Lint(t.Context(), filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("Lint(missing source) succeeded")
	}
}

func set(ss []string) map[string]bool {
	m := map[string]bool{}
	for _, s := range ss {
		m[s] = true
	}
	return m
}

// TestGuestCommandsInSync checks guestCommands against the guest SDK's
// source: every exported function of capabilities.go that calls a
// capability, with the command it passes to Call.
func TestGuestCommandsInSync(t *testing.T) {
	t.Parallel()
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join("..", "..", "sdk", "guest", "capabilities.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || !fn.Name.IsExported() || fn.Recv != nil {
			continue
		}
		ast.Inspect(fn, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if id, isIdent := c.Fun.(*ast.Ident); isIdent && id.Name == "Call" && len(c.Args) > 0 {
				if lit, ok := c.Args[0].(*ast.BasicLit); ok {
					got[fn.Name.Name], _ = strconv.Unquote(lit.Value)
				}
			}
			return true
		})
	}
	if !maps.Equal(got, guestCommands) {
		t.Errorf("sdk/guest/capabilities.go calls %v\nlint knows %v", got, guestCommands)
	}
}
