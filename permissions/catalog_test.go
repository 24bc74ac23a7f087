package permissions

import "testing"

func TestCatalog(t *testing.T) {
	want := []struct {
		name     string
		implicit bool
	}{
		{"storage", false}, {"fs.read", false}, {"fs.write", false}, {"http", false},
		{"notifications", false}, {"clipboard.read", false}, {"clipboard.write", false},
		{"dialog", false}, {"log", true}, {"events", true},
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

func TestPermissionFor(t *testing.T) {
	tests := []struct {
		cmd, perm string
		ok        bool
	}{
		{"storage.get", "storage", true},
		{"storage.set", "storage", true},
		{"storage.delete", "storage", true},
		{"storage.list", "storage", true},
		{"fs.read", "fs.read", true},
		{"fs.write", "fs.write", true},
		{"http.fetch", "http", true},
		{"log", "log", true},
		{"event.emit", "events", true},
		{"backend.render", "backend.render", true},
		{"backend.doThing_2", "backend.doThing_2", true},
		{"backend.", "", false},
		{"backend.Render", "", false},
		{"backend.a-b", "", false},
		{"backend.a.b", "", false},
		{"backend.1a", "", false},
		{"storage", "", false},
		{"storage.clear", "", false},
		{"http", "", false},
		{"events", "", false},
		{"FS.READ", "", false},
		{"", "", false},
		{"clipboard.read", "", false},
	}
	for _, tt := range tests {
		perm, ok := PermissionFor(tt.cmd)
		if perm != tt.perm || ok != tt.ok {
			t.Errorf("PermissionFor(%q) = %q, %v; want %q, %v", tt.cmd, perm, ok, tt.perm, tt.ok)
		}
	}
}

func TestPermissionForDoesNotAllocate(t *testing.T) {
	cmds := []string{"storage.get", "http.fetch", "backend.render", "nope"}
	var n int
	allocs := testing.AllocsPerRun(100, func() {
		for _, c := range cmds {
			perm, _ := PermissionFor(c)
			n += len(perm)
		}
	})
	if allocs != 0 || n == 0 {
		t.Errorf("PermissionFor allocates %v times", allocs)
	}
}

func TestValidCommand(t *testing.T) {
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
