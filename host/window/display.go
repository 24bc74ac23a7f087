package window

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// ErrNoDisplay reports that a window has no display to show on: neither
// $DISPLAY nor $WAYLAND_DISPLAY is set in its environment. Without this
// check the webview process would start, fail to open GTK, and be
// restarted until the crash policy gave up, with no window ever shown.
var ErrNoDisplay = errors.New("no display to show plugin windows on")

// CheckDisplay returns an error wrapping ErrNoDisplay, saying what to do,
// when env (nil: this process's environment) names no display.
func CheckDisplay(env []string) error {
	if env == nil {
		env = os.Environ()
	}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if (k == "DISPLAY" || k == "WAYLAND_DISPLAY") && v != "" {
			return nil
		}
	}
	return fmt.Errorf("%w: $DISPLAY and $WAYLAND_DISPLAY are not set (run it in a desktop session, or under xvfb-run -a)", ErrNoDisplay)
}
