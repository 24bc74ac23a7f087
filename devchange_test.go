package warden

import (
	"slices"
	"testing"

	"github.com/wardenhq/warden/manifest"
)

func TestClassify(t *testing.T) {
	withBackend := &manifest.Manifest{ID: "a.b", Backend: &manifest.Backend{Wasm: "backend/p.wasm"}}
	rootBackend := &manifest.Manifest{ID: "a.b", Backend: &manifest.Backend{Wasm: "p.wasm"}}
	uiOnly := &manifest.Manifest{ID: "a.b"}
	tests := []struct {
		name  string
		m     *manifest.Manifest
		paths []string
		want  devChange
	}{
		{"page", withBackend, []string{"ui/app.js", "ui/style.css"}, changeUI},
		{"backend source", withBackend, []string{"backend/main.go"}, changeBackend},
		{"backend data file", withBackend, []string{"backend/words.txt"}, changeBackend},
		{"go module", withBackend, []string{"go.mod"}, changeBackend},
		{"manifest", withBackend, []string{"manifest.json"}, changeManifest},
		{"all three", withBackend, []string{"ui/index.html", "backend/main.go", "manifest.json"}, changeUI | changeBackend | changeManifest},
		{"backend beside the manifest", rootBackend, []string{"main.go", "ui/app.js"}, changeBackend | changeUI},
		{"no backend", uiOnly, []string{"main.go"}, changeUI},
		{"nothing", withBackend, nil, 0},
	}
	for _, tt := range tests {
		if got := classify(tt.m, tt.paths); got != tt.want {
			t.Errorf("%s: classify(%q) = %b, want %b", tt.name, tt.paths, got, tt.want)
		}
	}
}

func TestNewPermissions(t *testing.T) {
	old := &manifest.Manifest{ID: "a.b", Backend: &manifest.Backend{Wasm: "b/p.wasm"}, Commands: []string{"greet"}, Permissions: []string{"storage"}}
	grown := &manifest.Manifest{ID: "a.b", Backend: &manifest.Backend{Wasm: "b/p.wasm"}, Commands: []string{"greet", "shout"}, Permissions: []string{"storage", "http"}}
	got := newPermissions(old, grown)
	if len(got) != 2 || !slices.Contains(got, "http") || !slices.Contains(got, "backend.shout") {
		t.Fatalf("newPermissions = %q, want http and backend.shout", got)
	}
	if got := newPermissions(grown, old); len(got) != 0 {
		t.Fatalf("a smaller manifest asks for %q", got)
	}
}
