package registry

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// indexOf is an index listing plugin id in the given versions.
func indexOf(id string, versions ...string) *Index {
	ix := NewIndex()
	p := Plugin{Name: "X"}
	for _, v := range versions {
		p.Versions = append(p.Versions, Version{ID: id, Version: v, URL: "b/" + v, SHA256: sha, Size: 1, Host: "*", Published: time.Now()})
	}
	sortVersions(p.Versions)
	ix.Plugins[id] = p
	return ix
}

func TestResolve(t *testing.T) {
	t.Parallel()
	ix := indexOf("com.example.notes", "2.0.0", "1.0.0", "1.9.0", "1.10.0-rc.1", "2.1.0-beta")
	no19 := func(v Version) error {
		if v.Version == "1.9.0" {
			return errors.New("policy: 1.9.0 is blocked")
		}
		return nil
	}
	tests := []struct {
		name, rng string
		allow     func(Version) error
		want      string
	}{
		{"caret picks highest in major", "^1", nil, "1.9.0"},
		{"range", ">=1.2 <2", nil, "1.9.0"},
		{"empty range is latest release", "", nil, "2.0.0"},
		{"star", "*", nil, "2.0.0"},
		{"exact", "1.0.0", nil, "1.0.0"},
		{"exact pre-release", "2.1.0-beta", nil, "2.1.0-beta"},
		{"pre-release range", ">=1.10.0-rc.0 <2", nil, "1.10.0-rc.1"},
		{"allow filter skips", "^1", no19, "1.0.0"},
		{"allow sees only in-range versions", "^2", func(v Version) error {
			if !strings.HasPrefix(v.Version, "2.") {
				return fmt.Errorf("called for %s", v.Version)
			}
			return nil
		}, "2.0.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := ix.Resolve("com.example.notes", tt.rng, tt.allow)
			if err != nil {
				t.Fatal(err)
			}
			if v.Version != tt.want || v.ID != "com.example.notes" {
				t.Fatalf("got %s, want %s", v, tt.want)
			}
		})
	}
}

func TestResolveErrors(t *testing.T) {
	t.Parallel()
	ix := indexOf("com.example.notes", "1.0.0", "1.9.0", "2.0.0", "3.0.0-beta")
	refuse := func(v Version) error { return fmt.Errorf("host: needs <%s", v.Version) }
	tests := []struct {
		name, id, rng string
		allow         func(Version) error
		sentinel      error
		want          []string
	}{
		{"unknown plugin", "com.example.none", "", nil, ErrUnknownPlugin, []string{"com.example.none"}},
		{"bad range", "com.example.notes", "^^1", nil, ErrBadRange, []string{`"^^1"`}},
		{"nothing in range", "com.example.notes", "^4", nil, ErrNoMatchingVersion,
			[]string{"2.0.0: outside ^4", "1.0.0: outside ^4", "3.0.0-beta: outside ^4; a pre-release"}},
		{"all refused", "com.example.notes", "^1", refuse, ErrNoMatchingVersion,
			[]string{"1.9.0: host: needs <1.9.0", "1.0.0: host: needs <1.0.0", "2.0.0: outside ^1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := ix.Resolve(tt.id, tt.rng, tt.allow)
			if !errors.Is(err, tt.sentinel) {
				t.Fatalf("got %v, %v; want %v", v, err, tt.sentinel)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestResolveLongListIsCut(t *testing.T) {
	t.Parallel()
	var vs []string
	for i := range 20 {
		vs = append(vs, fmt.Sprintf("1.%d.0", i))
	}
	_, err := indexOf("com.example.notes", vs...).Resolve("com.example.notes", "^2", nil)
	if !errors.Is(err, ErrNoMatchingVersion) || !strings.Contains(err.Error(), "and 12 older versions") || strings.Contains(err.Error(), "1.0.0:") {
		t.Fatalf("error not cut to the newest versions: %v", err)
	}
}

func TestParseRef(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ref, id, rng string
		ok           bool
	}{
		{"com.example.notes", "com.example.notes", "", true},
		{"com.example.notes@^1", "com.example.notes", "^1", true},
		{"com.example.notes@>=1.2 <2", "com.example.notes", ">=1.2 <2", true},
		{"com.example.notes@1.4.2", "com.example.notes", "1.4.2", true},
		{"com.example.notes@", "com.example.notes", "", true},
		{"notes", "", "", false},
		{"./dir", "", "", false},
		{"Com.Example@^1", "", "", false},
		{"com.example.notes@^^1", "", "", false},
	}
	for _, tt := range tests {
		id, rng, err := ParseRef(tt.ref)
		if (err == nil) != tt.ok || id != tt.id || rng != tt.rng {
			t.Errorf("ParseRef(%q) = %q, %q, %v", tt.ref, id, rng, err)
		}
	}
}
