package build

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/wardenhq/warden/internal/atomicfile"
)

// Diagnostic is one complaint of a compiler: File is relative to the plugin
// directory, with slashes; Line and Column are 1-based, 0 when unknown.
type Diagnostic struct {
	File    string
	Line    int
	Column  int
	Message string
}

// String returns "file:line:col: message", the form editors jump to.
func (d Diagnostic) String() string {
	switch {
	case d.File == "":
		return d.Message
	case d.Line == 0:
		return d.File + ": " + d.Message
	case d.Column == 0:
		return fmt.Sprintf("%s:%d: %s", d.File, d.Line, d.Message)
	}
	return fmt.Sprintf("%s:%d:%d: %s", d.File, d.Line, d.Column, d.Message)
}

// Error is a compiler that refused the sources. Its text lists the
// diagnostics one per line, or the compiler's output when none could be
// read from it.
type Error struct {
	// Tool is the compiler: "go", "asc" or "extism-js".
	Tool        string
	Diagnostics []Diagnostic
	// Output is the compiler's combined output, as it printed it.
	Output string
	// Err is how the compiler ended (an *exec.ExitError, usually).
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s failed", e.Tool)
	if len(e.Diagnostics) == 0 {
		if out := strings.TrimSpace(e.Output); out != "" {
			b.WriteString(":\n" + out)
		} else {
			fmt.Fprintf(&b, ": %v", e.Err)
		}
		return b.String()
	}
	for _, d := range e.Diagnostics {
		b.WriteString("\n" + d.String())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

func compileError(tool string, err error, out string, diags []Diagnostic) error {
	return &Error{Tool: tool, Diagnostics: diags, Output: out, Err: err}
}

// goLine is a line of go build's output naming a position: "./main.go:5:2:
// undefined: x" (the column is optional).
var goLine = regexp.MustCompile(`^(\S+?\.(?:go|s|mod)):(\d+)(?::(\d+))?: (.*)$`)

// goDiagnostics reads go build's output (run in pkg) into diagnostics with
// file names relative to base.
func goDiagnostics(out, pkg, base string) []Diagnostic {
	var diags []Diagnostic
	for line := range strings.Lines(out) {
		m := goLine.FindStringSubmatch(strings.TrimRight(line, "\r\n"))
		if m == nil {
			continue
		}
		d := Diagnostic{File: relTo(base, pkg, m[1]), Message: m[4]}
		d.Line, _ = strconv.Atoi(m[2])
		d.Column, _ = strconv.Atoi(m[3])
		diags = append(diags, d)
	}
	return diags
}

// ascHead and ascWhere are the first and last lines of one asc diagnostic:
//
//	ERROR TS2304: Cannot find name 'zz'.
//	   :
//	 8 │ return zz;
//	   └─ in assembly/index.ts(8,10)
var (
	ascHead  = regexp.MustCompile(`^(ERROR|WARNING|INFO) (\S+): (.*)$`)
	ascWhere = regexp.MustCompile(`└─ in (.+)\((\d+),(\d+)\)\s*$`)
)

// ascDiagnostics reads asc's output (run in src) into diagnostics with file
// names relative to base; only errors are kept.
func ascDiagnostics(out, src, base string) []Diagnostic {
	var diags []Diagnostic
	var cur *Diagnostic
	for line := range strings.Lines(out) {
		line = strings.TrimRight(line, "\r\n")
		if m := ascHead.FindStringSubmatch(line); m != nil {
			cur = nil
			if m[1] == "ERROR" {
				diags = append(diags, Diagnostic{Message: fmt.Sprintf("%s [%s]", m[3], m[2])})
				cur = &diags[len(diags)-1]
			}
			continue
		}
		if m := ascWhere.FindStringSubmatch(line); m != nil && cur != nil && cur.File == "" {
			cur.File = relTo(base, src, m[1])
			cur.Line, _ = strconv.Atoi(m[2])
			cur.Column, _ = strconv.Atoi(m[3])
		}
	}
	return diags
}

// relTo turns name, as a compiler run in dir printed it, into a slash path
// relative to base when it is inside base.
func relTo(base, dir, name string) string {
	p := filepath.FromSlash(name)
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	if r, err := filepath.Rel(base, p); err == nil && filepath.IsLocal(r) {
		return filepath.ToSlash(r)
	}
	return name
}

// produce runs tool in the backend's directory with args and then the
// temporary output path, and puts the module in place once it succeeded.
// A failure becomes an *Error whose diagnostics parse reads from the
// tool's output (none when parse is nil).
func produce(ctx context.Context, j job, name, tool string, args []string, parse func(out string) []Diagnostic) error {
	return atomicfile.Produce(j.wasm, 0o644, func(tmp string) error {
		cmd := exec.CommandContext(ctx, tool, append(slices.Clone(args), tmp)...)
		cmd.Dir = j.src
		var out bytes.Buffer
		cmd.Stdout = &out
		cmd.Stderr = &out
		if err := cmd.Run(); err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("%s: %w", name, ctx.Err())
			}
			var diags []Diagnostic
			if parse != nil {
				diags = parse(out.String())
			}
			return compileError(name, err, out.String(), diags)
		}
		return nil
	})
}
