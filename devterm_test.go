package warden

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTerminalSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"tab\tkept", "tab\tkept"},
		{"\x1b]0;pwned\x07title", `\x1b]0;pwned\x07title`},
		{"\x1b[2J", `\x1b[2J`},
		{"cr\rover", `cr\x0dover`},
		{"c1 \u009b31m", `c1 \x9b31m`},
		{"bad \xff byte", "bad \ufffd byte"},
		{"été ✓", "été ✓"},
	}
	for _, tt := range tests {
		if got := terminalSafe(tt.in); got != tt.want {
			t.Errorf("terminalSafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzTerminalSafe(f *testing.F) {
	f.Add("\x1b[31mred\x1b[0m")
	f.Add("a\u0085b\xc2")
	f.Fuzz(func(t *testing.T, s string) {
		out := terminalSafe(s)
		if !utf8.ValidString(out) || strings.ContainsFunc(out, unsafeRune) {
			t.Fatalf("terminalSafe(%q) = %q", s, out)
		}
	})
}

func TestDevTermConsole(t *testing.T) {
	var b bytes.Buffer
	term := &devTerm{out: &b, id: "dev.warden.hello"}
	term.console("error", "plugin://dev.warden.hello/ui/app.js:3:9: uncaught Error: x\n    at f\x1b[2J")
	want := "[dev.warden.hello] error ui/app.js:3:9: uncaught Error: x\n[dev.warden.hello]         at f\\x1b[2J\n"
	if b.String() != want {
		t.Fatalf("got %q, want %q", b.String(), want)
	}
}
