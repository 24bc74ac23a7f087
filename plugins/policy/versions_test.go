package policy

import "testing"

func TestPick(t *testing.T) {
	t.Parallel()
	p := mustParse(t, withPlugins("allow",
		`{"id": "com.range", "versions": ">=1.2 <2"}`,
		`{"id": "com.pin", "pin": "1.4.2"}`,
		`{"id": "com.min", "min_version": "1.5.0"}`,
		`{"id": "com.both", "versions": "^1", "min_version": "1.3.0"}`,
		`{"id": "com.blocked", "allow": false}`,
		`{"id": "com.pre", "versions": ">=2.0.0-0"}`,
	))
	tests := []struct {
		name, id string
		versions []string
		want     string // "" for none
	}{
		{"range picks 1.9 over 2.0", "com.range", []string{"1.0.0", "1.2.0", "1.9.0", "2.0.0"}, "1.9.0"},
		{"range, unordered input", "com.range", []string{"2.0.0", "1.9.0", "1.2.0"}, "1.9.0"},
		{"range excludes pre-release", "com.range", []string{"1.9.0", "1.10.0-beta.1"}, "1.9.0"},
		{"range, none inside", "com.range", []string{"1.1.9", "2.0.0"}, ""},
		{"pin wins over newer", "com.pin", []string{"1.4.2", "1.5.0"}, "1.4.2"},
		{"pin absent", "com.pin", []string{"1.4.1", "1.5.0"}, ""},
		{"minimum", "com.min", []string{"1.4.9", "1.5.0", "1.6.1"}, "1.6.1"},
		{"minimum, all below", "com.min", []string{"1.0.0", "1.4.9"}, ""},
		{"range and minimum", "com.both", []string{"1.2.0", "1.3.0", "2.0.0"}, "1.3.0"},
		{"blocked", "com.blocked", []string{"1.0.0"}, ""},
		{"no entry: highest", "org.other", []string{"0.9.0", "1.10.0", "1.9.0"}, "1.10.0"},
		{"not semver skipped", "org.other", []string{"banana", "1.0.0"}, "1.0.0"},
		{"empty list", "org.other", nil, ""},
		{"pre-release range", "com.pre", []string{"1.9.0", "2.0.0-rc.1"}, "2.0.0-rc.1"},
		{"original spelling kept", "org.other", []string{"v1.2", "1.1.0"}, "v1.2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := p.Pick(tt.id, tt.versions)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("Pick = %q %v, want %q", got, ok, tt.want)
			}
		})
	}
}

func TestAllowsVersion(t *testing.T) {
	t.Parallel()
	p := mustParse(t, withPlugins("block",
		`{"id": "com.example.*", "versions": ">=1.2 <2"}`,
		`{"id": "com.example.notes", "pin": "1.4.2"}`,
	))
	tests := []struct {
		id, version string
		want        bool
	}{
		{"com.example.todo", "1.2.0", true},
		{"com.example.todo", "1.1.0", false},
		{"com.example.todo", "2.0.0", false},
		{"com.example.notes", "1.4.2", true},
		{"com.example.notes", "1.4.3", false},
		{"org.unlisted", "1.0.0", false},
		{"com.example.todo", "not-semver", false},
	}
	for _, tt := range tests {
		if got := p.AllowsVersion(tt.id, tt.version); got != tt.want {
			t.Errorf("AllowsVersion(%q, %q) = %v, want %v", tt.id, tt.version, got, tt.want)
		}
	}
}
