package webview

import (
	"bytes"
	"strings"
	"testing"
)

func TestParseConsoleLine(t *testing.T) {
	tests := []struct {
		line, level, msg string
		ok               bool
	}{
		{"CONSOLE LOG hello [object Object]", "info", "hello [object Object]", true},
		{"CONSOLE WARN w1", "warn", "w1", true},
		{"CONSOLE ERROR e1", "error", "e1", true},
		{"CONSOLE DEBUG d", "info", "d", true},
		{"CONSOLE JS ERROR Unhandled Promise Rejection: Error: x", "error", "Unhandled Promise Rejection: Error: x", true},
		{"plugin://p/ui/index.html:3:1: CONSOLE SECURITY ERROR Refused", "error", "plugin://p/ui/index.html:3:1: Refused", true},
		{"CONSOLE LOG", "info", "", true},
		{"** (WebKitWebProcess:2): WARNING **: a11y", "", "", false},
		{"xCONSOLE LOG no", "", "", false},
		{"CONSOLE JS BOGUS x", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		level, msg, ok := parseConsoleLine(tt.line)
		if level != tt.level || msg != tt.msg || ok != tt.ok {
			t.Errorf("parseConsoleLine(%q) = %q, %q, %v", tt.line, level, msg, ok)
		}
	}
}

func TestForwardConsole(t *testing.T) {
	in := "CONSOLE LOG one\nother output\nCONSOLE WARN " + strings.Repeat("x", maxConsoleMessage+10) + "\n"
	var other bytes.Buffer
	var got []string
	forwardConsole(strings.NewReader(in), &other, func(level, msg string) { got = append(got, level+":"+msg) })
	if len(got) != 2 || got[0] != "info:one" || len(got[1]) != len("warn:")+maxConsoleMessage {
		t.Fatalf("forwarded %d messages: %.40q", len(got), got)
	}
	if other.String() != "other output\n" {
		t.Fatalf("other output %q", other.String())
	}
}

func FuzzParseConsoleLine(f *testing.F) {
	f.Add("CONSOLE JS ERROR x")
	f.Add("a: CONSOLE LOG y")
	f.Fuzz(func(t *testing.T, line string) {
		level, msg, ok := parseConsoleLine(line)
		if ok && (level == "" || len(msg) > maxConsoleMessage || !strings.Contains(line, "CONSOLE ")) {
			t.Fatalf("%q -> %q %q", line, level, msg)
		}
	})
}
