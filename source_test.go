package warden

import (
	"testing"

	"github.com/wardenhq/warden/manifest"
)

// TestSameSourceRefusesASwappedManifest: a manifest swapped while the
// backend builds (after the policy's check) is refused, whatever it
// changed.
func TestSameSourceRefusesASwappedManifest(t *testing.T) {
	checked := &manifest.Manifest{ID: "com.example.a", Version: "1.0.0", Permissions: []string{"storage"}}
	for _, tt := range []struct {
		name   string
		loaded manifest.Manifest
		ok     bool
	}{
		{"same", manifest.Manifest{ID: "com.example.a", Version: "1.0.0", Permissions: []string{"storage"}}, true},
		{"other id", manifest.Manifest{ID: "com.example.b", Version: "1.0.0", Permissions: []string{"storage"}}, false},
		{"other version", manifest.Manifest{ID: "com.example.a", Version: "2.0.0", Permissions: []string{"storage"}}, false},
		{"more permissions", manifest.Manifest{ID: "com.example.a", Version: "1.0.0", Permissions: []string{"storage", "notifications"}}, false},
		{"a backend command", manifest.Manifest{ID: "com.example.a", Version: "1.0.0", Permissions: []string{"storage"}, Commands: []string{"x"}}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := sameSource(checked, &tt.loaded); (err == nil) != tt.ok {
				t.Errorf("sameSource: %v, want ok=%v", err, tt.ok)
			}
		})
	}
}
