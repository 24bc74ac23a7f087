package lint

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// guestImport is the guest SDK's import path.
const guestImport = "github.com/wardenhq/warden/sdk/guest"

// guestCommands maps each guest SDK function that calls a capability to
// its command (sdk/guest/capabilities.go; a test keeps the two in sync).
var guestCommands = map[string]string{
	"StorageGet":    "storage.get",
	"StorageSet":    "storage.set",
	"StorageDelete": "storage.delete",
	"StorageList":   "storage.list",
	"ReadFile":      "fs.read",
	"WriteFile":     "fs.write",
	"Fetch":         "http.fetch",
	"Log":           "log",
	"Emit":          "event.emit",
	"Notify":        "notifications.show",
	"CallPlugin":    "messaging.call",
}

// use is one place a command is used: by the page or the backend.
type use struct {
	command      string
	literal      bool // false when the command could not be read
	file         string
	line, column int
	caller       string // "page" or "backend"
}

// scanGoBackend returns the capability uses of the Go backend package in
// dir (the directory of backend.wasm): calls to the guest SDK's capability
// functions, and guest.Call with a literal command (any other use of
// guest.Call is a use lint cannot read). root is the plugin directory, for
// the files' names. ok is false when dir holds no Go sources. Cost: parses
// every non-test .go file of the package.
func scanGoBackend(ctx context.Context, root, dir string) (uses []use, ok bool, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, false, fmt.Errorf("read backend sources: %w", err)
	}
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, false, err
		}
		ok = true
		path := filepath.Join(dir, name)
		rel, _ := filepath.Rel(root, path)
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			// The build reports syntax errors better; lint reads what it can.
			if f == nil {
				continue
			}
		}
		uses = append(uses, guestUses(fset, f, filepath.ToSlash(rel))...)
	}
	return uses, ok, nil
}

// guestUses returns the guest SDK capability uses in one parsed file.
func guestUses(fset *token.FileSet, f *ast.File, file string) []use {
	local := ""
	for _, imp := range f.Imports {
		if p, err := strconv.Unquote(imp.Path.Value); err != nil || p != guestImport {
			continue
		}
		local = "guest"
		if imp.Name != nil {
			local = imp.Name.Name
		}
	}
	if local == "" || local == "_" {
		return nil
	}
	var out []use
	at := func(n ast.Node, cmd string, literal bool) {
		p := fset.Position(n.Pos())
		out = append(out, use{command: cmd, literal: literal, file: file, line: p.Line, column: p.Column, caller: "backend"})
	}
	if local == "." {
		// Unqualified names could be anything's: lint cannot tell.
		at(f.Name, "", false)
		return out
	}
	calls := map[*ast.SelectorExpr]*ast.CallExpr{}
	ast.Inspect(f, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			if sel, ok := c.Fun.(*ast.SelectorExpr); ok {
				calls[sel] = c
			}
		}
		return true
	})
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		x, ok := sel.X.(*ast.Ident)
		if !ok || x.Name != local {
			return true
		}
		if cmd, ok := guestCommands[sel.Sel.Name]; ok {
			at(sel, cmd, true)
			return true
		}
		if sel.Sel.Name != "Call" {
			return true
		}
		if c := calls[sel]; c != nil && len(c.Args) > 0 {
			if lit, ok := c.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					at(sel, s, true)
					return true
				}
			}
		}
		at(sel, "", false)
		return true
	})
	slices.SortFunc(out, func(a, b use) int { return a.line - b.line })
	return out
}
