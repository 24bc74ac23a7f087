package window

import (
	"strings"
	"testing"
)

// TestSharedNetworkReason: a window must keep the host's network only
// when told so or when its X display is reached over TCP, which an empty
// namespace cannot reach; a local display, a Unix one or Wayland can.
func TestSharedNetworkReason(t *testing.T) {
	for _, tt := range []struct {
		shared bool
		env    []string
		want   string // a part of the reason, "" for none
	}{
		{false, []string{"DISPLAY=:0"}, ""},
		{false, []string{"DISPLAY=:99.0"}, ""},
		{false, []string{"DISPLAY=unix:0"}, ""},
		{false, []string{"WAYLAND_DISPLAY=wayland-0"}, ""},
		{false, []string{"DISPLAY=localhost:10.0", "WAYLAND_DISPLAY=wayland-0"}, ""},
		{false, []string{"DISPLAY=localhost:10.0"}, "reached over the network"},
		{false, []string{"DISPLAY=:0", "DISPLAY=10.0.0.2:0"}, "reached over the network"},
		{true, []string{"DISPLAY=:0"}, "turned off"},
	} {
		got := sharedNetworkReason(tt.shared, tt.env)
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("sharedNetworkReason(%v, %q) = %q, want %q", tt.shared, tt.env, got, tt.want)
		}
	}
}
