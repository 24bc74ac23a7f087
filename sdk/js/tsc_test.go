package js

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/wardenhq/warden/internal/tsctest"
)

// tsc returns TypeScript's compiler (see tsctest.Path).
func tsc(t *testing.T) string { return tsctest.Path(t) }

// tscError is one line of tsc's report: "file.ts(3,6): error TS2769: ...".
var tscError = regexp.MustCompile(`(?m)^([^(\s]+)\((\d+),\d+\): error (TS\d+): (.*)$`)

// typeCheck runs tsc --noEmit --strict over files (names under
// testdata/types, or the name of an entry of extra, whose content it is),
// with warden.d.ts, and returns the lines (file:line) that have errors
// and tsc's output.
func typeCheck(t *testing.T, files []string, extra map[string][]byte) (errs []string, out string, ok bool) {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("warden.d.ts", []byte(Types))
	args := []string{"--noEmit", "--strict", "--pretty", "false", "--target", "es2020", "--lib", "es2020,dom", "warden.d.ts"}
	for name, b := range extra {
		write(name, b)
		args = append(args, name)
	}
	for _, f := range files {
		if _, ok := extra[f]; ok {
			continue
		}
		b, err := os.ReadFile(filepath.Join("testdata", "types", f))
		if err != nil {
			t.Fatal(err)
		}
		write(f, b)
		args = append(args, f)
	}
	cmd := exec.CommandContext(t.Context(), tsc(t), args...)
	cmd.Dir = dir
	b, err := cmd.CombinedOutput()
	if _, exited := err.(*exec.ExitError); err != nil && !exited {
		t.Fatalf("tsc: %v\n%s", err, b)
	}
	for _, m := range tscError.FindAllStringSubmatch(string(b), -1) {
		errs = append(errs, m[1]+":"+m[2])
	}
	return errs, string(b), err == nil
}

// marked returns file:line of each line of a testdata/types file that says
// "// error:": where tsc must report an error.
func marked(t *testing.T, file string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "types", file))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, "// error:") {
			out = append(out, file+":"+strconv.Itoa(i+1))
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s marks no line with // error:", file)
	}
	return out
}

// checkTypes type-checks the good and the bad files together (each a
// module of its own): it must fail, with an error on every marked line of
// each bad file and on no other line, so the good files, and warden.d.ts
// itself, type-check. With alone set, the good files are also checked
// without the bad ones, and tsc must succeed.
func checkTypes(t *testing.T, good, bad []string, extra map[string][]byte, alone bool) {
	t.Helper()
	if alone {
		if errs, out, ok := typeCheck(t, good, extra); !ok || len(errs) > 0 {
			t.Fatalf("tsc --strict refuses %v:\n%s", good, out)
		}
	}
	errs, out, ok := typeCheck(t, slices.Concat(good, bad), extra)
	if ok {
		t.Fatalf("tsc --strict accepts %v:\n%s", bad, out)
	}
	var want []string
	for _, f := range bad {
		want = append(want, marked(t, f)...)
	}
	for _, w := range want {
		if !slices.Contains(errs, w) {
			t.Errorf("tsc reports no error at %s, which must not type-check:\n%s", w, out)
		}
	}
	for _, e := range errs {
		if !slices.Contains(want, e) {
			t.Errorf("tsc reports an error at %s, which must type-check:\n%s", e, out)
		}
	}
}

// TestPageAPITypes: warden.d.ts types each capability's arguments and
// result. Every use in good.ts type-checks under --strict with the types
// it asserts; each bad-*.ts (a misspelt command, arguments of the wrong
// shape, a result used as the wrong type, a backend-only command, a
// command that is any string) fails.
func TestPageAPITypes(t *testing.T) {
	t.Parallel()
	bad, err := filepath.Glob(filepath.Join("testdata", "types", "bad-*.ts"))
	if err != nil || len(bad) == 0 {
		t.Fatalf("no bad-*.ts files: %v", err)
	}
	for i := range bad {
		bad[i] = filepath.Base(bad[i])
	}
	checkTypes(t, []string{"good.ts"}, bad, nil, true)
}

// TestBackendTypesNarrowBackendCommands: with the declarations BackendTypes
// makes from a manifest's commands, invoke accepts those backend commands
// and no other; with no command listed, it accepts none.
func TestBackendTypesNarrowBackendCommands(t *testing.T) {
	t.Parallel()
	checkTypes(t, []string{"backend-good.ts"}, []string{"backend-bad-unlisted.ts"},
		map[string][]byte{"backend.d.ts": BackendTypes("dev.warden.hello", []string{"greet", "list"})}, false)
	checkTypes(t, nil, []string{"nobackend-bad.ts"},
		map[string][]byte{"backend.d.ts": BackendTypes("dev.warden.empty", nil)}, false)
}

// TestBackendTypesText: the declarations name each command as a string
// literal, quoted safely, in the manifest's order, and keep the plugin id
// on its comment line.
func TestBackendTypesText(t *testing.T) {
	got := string(BackendTypes("dev.warden.x\n*/ evil", []string{"greet", "a\"b", "z\u2028"}))
	for _, want := range []string{
		"// The backend commands of plugin dev.warden.x?*/ evil, from its manifest.json.\n",
		"interface WardenBackendCommands {\n  \"backend.greet\": { args: unknown; result: unknown };\n  \"backend.a\\\"b\": { args: unknown; result: unknown };\n  \"backend.z\\u2028\": { args: unknown; result: unknown };\n}\n",
		"interface WardenGenerated {\n  backendCommands: true;\n}\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("BackendTypes wrote\n%s\nwant it to hold\n%s", got, want)
		}
	}
}
