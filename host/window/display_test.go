package window

import (
	"errors"
	"testing"
)

func TestCheckDisplay(t *testing.T) {
	tests := []struct {
		env []string
		ok  bool
	}{
		{[]string{"DISPLAY=:99"}, true},
		{[]string{"HOME=/root", "WAYLAND_DISPLAY=wayland-0"}, true},
		{[]string{"HOME=/root"}, false},
		{[]string{"DISPLAY=", "WAYLAND_DISPLAY="}, false},
		{[]string{}, false},
	}
	for _, tt := range tests {
		err := CheckDisplay(tt.env)
		if tt.ok != (err == nil) || err != nil && !errors.Is(err, ErrNoDisplay) {
			t.Errorf("CheckDisplay(%q) = %v", tt.env, err)
		}
	}
}
