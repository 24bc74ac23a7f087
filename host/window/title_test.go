package window

import (
	"testing"

	"github.com/wardenhq/warden/manifest"
)

func TestTitle(t *testing.T) {
	tests := []struct {
		name, publisher, window, want string
	}{
		{"Notes", "Acme", "", "Notes — plugin by Acme"},
		{"Notes", "Acme", "Notes", "Notes — plugin by Acme"},
		{"Notes", "Acme", "Today", "Today — Notes, plugin by Acme"},
		{"Notes", "", "", "Notes — plugin"},
		// A plugin naming its window after Warden still says it is a plugin.
		{"Notes", "Acme", "Warden", "Warden — Notes, plugin by Acme"},
	}
	for _, tt := range tests {
		m := &manifest.Manifest{Name: tt.name, Publisher: tt.publisher, UI: &manifest.UI{Entry: "ui/index.html"}}
		if tt.window != "" {
			m.UI.Window = &manifest.Window{Title: tt.window}
		}
		if got := Title(m); got != tt.want {
			t.Errorf("Title(%q, %q, window %q) = %q, want %q", tt.name, tt.publisher, tt.window, got, tt.want)
		}
	}
}
