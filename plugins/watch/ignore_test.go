package watch

import "testing"

func TestIgnored(t *testing.T) {
	tests := []struct {
		rel     string
		ignored bool
	}{
		{"ui/app.js", false},
		{"manifest.json", false},
		{"backend/main.go", false},
		{"ui/.hidden.js", false},
		{"ui/notes.tmp", false},
		{".git/index", true},
		{".git", true},
		{"ui/node_modules/x/index.js", true},
		{"node_modules", true},
		{"ui/.app.js.swp", true},
		{"ui/.app.js.swx", true},
		{"ui/4913", true},
		{"ui/app.js~", true},
		{"ui/#app.js#", true},
		{"ui/.#app.js", true},
		{"backend/.hello.wasm.123456.tmp", true},
		{"backend/.hello.wasm.1893511876.tmp-go-tmp-umask", true},
		{"ui/app.js.kate-swp", true},
	}
	for _, tt := range tests {
		if got := Ignored(tt.rel); got != tt.ignored {
			t.Errorf("Ignored(%q) = %v, want %v", tt.rel, got, tt.ignored)
		}
	}
}
