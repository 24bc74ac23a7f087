package permissions

import (
	"strings"
	"testing"
)

func TestCatalog(t *testing.T) {
	t.Parallel()
	want := []struct {
		name     string
		implicit bool
	}{
		{"storage", false}, {"fs.read", false}, {"fs.write", false}, {"http", false},
		{"notifications", false}, {"clipboard.read", false}, {"clipboard.write", false},
		{"dialog", false}, {"open_url", false}, {"log", true}, {"events", true},
		{"permissions", true},
	}
	got := Catalog()
	if len(got) != len(want) {
		t.Fatalf("Catalog() has %d entries, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].Name != w.name || got[i].Implicit != w.implicit {
			t.Errorf("Catalog()[%d] = %q implicit=%v, want %q implicit=%v", i, got[i].Name, got[i].Implicit, w.name, w.implicit)
		}
		if got[i].Description == "" {
			t.Errorf("%q has no description", w.name)
		}
		e, ok := Lookup(w.name)
		if !ok || e != got[i] {
			t.Errorf("Lookup(%q) = %+v, %v", w.name, e, ok)
		}
	}
	got[0].Name = "changed"
	if Catalog()[0].Name != "storage" {
		t.Error("Catalog() returned shared storage")
	}
	for _, name := range []string{"", "backend.render", "Storage", "fs", "fs.*"} {
		if _, ok := Lookup(name); ok {
			t.Errorf("Lookup(%q) succeeded", name)
		}
	}
}

func TestValidCommand(t *testing.T) {
	t.Parallel()
	long := "a"
	for len(long) < 64 {
		long += "b"
	}
	tests := map[string]bool{
		"render": true, "a": true, "getX_1": true, long: true, long + "c": false,
		"": false, "Render": false, "_x": false, "9x": false, "a-b": false, "a.b": false, "é": false,
	}
	for name, want := range tests {
		if got := ValidCommand(name); got != want {
			t.Errorf("ValidCommand(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestValidAppPermission(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{
		"app.clock": true, "app.clock.read": true, "app.a1_b": true,
		"app.": false, "app": false, "app.Clock": false, "app.1x": false, "app..x": false,
		"app.x.": false, "storage": false, "backend.x": false, "app.x-y": false,
		"app." + strings.Repeat("a", 77): false, "app." + strings.Repeat("a", 76): true,
	} {
		if got := ValidAppPermission(name); got != want {
			t.Errorf("ValidAppPermission(%q) = %v, want %v", name, got, want)
		}
	}
}
