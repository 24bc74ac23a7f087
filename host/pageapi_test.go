package host

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/wardenhq/warden/sdk/js"
)

// typedCommands returns the keys of the WardenCommands interface of
// warden.d.ts: the commands a page's warden.invoke is typed for.
func typedCommands(t *testing.T, dts string) []string {
	t.Helper()
	_, body, ok := strings.Cut(dts, "\ninterface WardenCommands {\n")
	if !ok {
		t.Fatal("warden.d.ts declares no interface WardenCommands")
	}
	body, _, ok = strings.Cut(body, "\n}\n")
	if !ok {
		t.Fatal("warden.d.ts: interface WardenCommands does not end")
	}
	var out []string
	// A key is a property at the interface's own indentation, two spaces.
	for _, m := range regexp.MustCompile(`(?m)^  '?([^'\s:]+)'?: \{$`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestPageAPITypesMatchCapabilityTable: warden.d.ts types warden.invoke
// for exactly the core's capabilities a page may invoke: one with no
// entry, or an entry for a command the table does not have or keeps for
// backends, fails.
func TestPageAPITypesMatchCapabilityTable(t *testing.T) {
	h := newHost(t, Options{})
	var page []string
	for _, c := range h.Commands() {
		if c.Callers&FromPage != 0 {
			page = append(page, c.Command)
		}
	}
	typed := typedCommands(t, js.Types)
	if len(typed) == 0 {
		t.Fatal("found no command in warden.d.ts's WardenCommands: the parse is broken")
	}
	for _, c := range page {
		if !slices.Contains(typed, c) {
			t.Errorf("capability %s has no entry in sdk/js/warden.d.ts's WardenCommands", c)
		}
	}
	for _, c := range typed {
		if !slices.Contains(page, c) {
			t.Errorf("sdk/js/warden.d.ts types %s, which is not a capability a page may invoke", c)
		}
	}
}
