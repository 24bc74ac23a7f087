package lint

import (
	"bytes"
	"reflect"
	"testing"
)

func TestScanInvokes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want []Invoke
	}{
		{"call", `warden.invoke("storage.get", {key: "a"})`, []Invoke{{"storage.get", true, 1, 1}}},
		{"single quotes and spaces", "x;\n  await warden . invoke ( 'backend.save' )", []Invoke{{"backend.save", true, 2, 9}}},
		{"template without substitution", "warden.invoke(`fs.read`, {})", []Invoke{{"fs.read", true, 1, 1}}},
		{"window and optional chaining", `window.warden?.invoke?.("log", {})`, []Invoke{{"log", true, 1, 8}}},
		{"escaped quote", `warden.invoke("a\"b")`, []Invoke{{`a"b`, true, 1, 1}}},
		{"computed", `warden.invoke("backend." + name)`, []Invoke{{"", false, 1, 1}}},
		{"variable", `warden.invoke(cmd, {})`, []Invoke{{"", false, 1, 1}}},
		{"substitution", "warden.invoke(`backend.${x}`)", []Invoke{{"", false, 1, 1}}},
		{"aliased", `const call = warden.invoke;`, []Invoke{{"", false, 1, 14}}},
		{"line comment", "// warden.invoke(\"storage.get\")\n", nil},
		{"block comment", "/* warden.invoke(\"storage.get\") */", nil},
		{"in a string", `log("use warden.invoke('storage.get')")`, nil},
		{"in a template", "const s = `warden.invoke('x')`;", nil},
		{"inside a substitution", "const s = `${await warden.invoke('log', {})}!`;", []Invoke{{"log", true, 1, 20}}},
		{"nested braces in substitution", "`${ {a: 1}.a } ${warden.invoke('http.fetch')}`", []Invoke{{"http.fetch", true, 1, 18}}},
		{"regex with quote", "const r = /'/; warden.invoke('storage.set', {})", []Invoke{{"storage.set", true, 1, 16}}},
		{"division is not a regex", "const a = b / 2; warden.invoke('log'); const c = d / 3;", []Invoke{{"log", true, 1, 18}}},
		{"other object", `notwarden.invoke("x"); foo.warden.invoke("y"); wardens.invoke("z")`, nil},
		{"other method", `warden.listen("tick", f); warden.invoker("x")`, nil},
		{"unterminated string ends at the line", "const s = 'oops\nwarden.invoke('log')", []Invoke{{"log", true, 2, 1}}},
		{"comment before argument", `warden.invoke(/* cmd */ "log")`, []Invoke{{"log", true, 1, 1}}},
		{"not a plain argument", `warden.invoke("backend." .concat(x))`, []Invoke{{"", false, 1, 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ScanInvokes([]byte(tt.src)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ScanInvokes(%q) =\n%+v\nwant\n%+v", tt.src, got, tt.want)
			}
		})
	}
}

func FuzzScanInvokes(f *testing.F) {
	for _, s := range []string{
		`warden.invoke("storage.get", {key: "a"})`,
		"`${warden.invoke(`x`)}` /re[/]/g; // c\n/* d */ 'e\\'f'",
		"window.warden?.invoke?.('log')",
		"}}}`${{{`",
		"warden.invoke(",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		lines := bytes.Count(src, []byte("\n")) + 1
		for _, inv := range ScanInvokes(src) {
			if inv.Line < 1 || inv.Line > lines || inv.Column < 1 {
				t.Fatalf("position %d:%d outside %d lines", inv.Line, inv.Column, lines)
			}
			if inv.Literal && !bytes.ContainsAny([]byte(inv.Command), "\\'\"/`") && !bytes.Contains(src, []byte(inv.Command)) {
				t.Fatalf("command %q is not in the source", inv.Command)
			}
			if !inv.Literal && inv.Command != "" {
				t.Fatalf("non-literal invoke with command %q", inv.Command)
			}
		}
	})
}
