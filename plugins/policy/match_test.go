package policy

import "testing"

func TestMatchID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, id string
		want        bool
	}{
		{"com.example.notes", "com.example.notes", true},
		{"com.example.notes", "com.example.note", false},
		{"com.example.notes", "com.example.notes2", false},
		{"com.example.*", "com.example.notes", true},
		{"com.example.*", "com.example.a.b", true},
		{"com.example.*", "com.example", false},
		{"com.example.*", "com.examples.notes", false},
		{"*", "anything.at.all", true},
		{"*", "", true},
		{"com.*.notes", "com.example.notes", true},
		{"com.*.notes", "com.a.b.notes", true},
		{"com.*.notes", "com.example.todo", false},
		{"*.notes", "org.notes.notes", true},
		{"*a*b*", "xxaxxbxx", true},
		{"*a*b", "xxaxxbxxc", false},
		{"", "", true},
		{"", "a", false},
	}
	for _, tt := range tests {
		if got := matchID(tt.pattern, tt.id); got != tt.want {
			t.Errorf("matchID(%q, %q) = %v, want %v", tt.pattern, tt.id, got, tt.want)
		}
	}
}

func TestEntryForSpecificity(t *testing.T) {
	t.Parallel()
	p := mustParse(t, withPlugins("allow",
		`{"id": "*", "allow": false}`,
		`{"id": "com.*", "versions": "^1"}`,
		`{"id": "com.example.*", "versions": "^2"}`,
		`{"id": "com.example.notes", "pin": "3.0.0"}`,
		`{"id": "com.*.todo"}`,
		`{"id": "org.*.todo"}`,
		`{"id": "org.acme.*"}`,
	))
	tests := []struct {
		id   string
		want int // entry index, -1 for none
	}{
		{"com.example.notes", 3}, // exact id over any pattern
		{"com.example.other", 2}, // longer pattern over shorter
		{"com.acme.thing", 1},    // longer pattern over "*"
		{"net.other.thing", 0},   // only "*"
		{"com.example.todo", 2},  // "com.example.*" (12 literal characters) over "com.*.todo" (9)
		{"com.acme.todo", 4},     // "com.*.todo" (9) over "com.*" (4)
		{"org.acme.todo", 5},     // tie at 9 literal characters: the earlier entry wins
	}
	for _, tt := range tests {
		e, ok := p.EntryFor(tt.id)
		if !ok || e.Index != tt.want {
			t.Errorf("EntryFor(%q) = %d %v, want %d", tt.id, e.Index, ok, tt.want)
		}
	}
	if _, ok := mustParse(t, withPlugins("allow", `{"id": "com.*"}`)).EntryFor("org.x"); ok {
		t.Error("EntryFor matched an unrelated id")
	}
}
