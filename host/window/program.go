package window

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ProgramName is the file name of the warden command's webview program
// (cmd/warden-webview), the binary each of its plugin windows runs in. It
// is apart from the warden binary so that only window processes link
// WebKitGTK: loading its libraries costs every process that links them
// about 150 ms at start, which the core and every CLI command are spared.
const ProgramName = "warden-webview"

// EnvProgram, when set, is the path of the webview program ProgramPath
// returns.
const EnvProgram = "WARDEN_WEBVIEW"

// ErrNoProgram reports that the webview program a window was to run in
// does not exist.
var ErrNoProgram = errors.New("webview program not found")

// ProgramPath returns where the webview program for the executable exe
// is: $WARDEN_WEBVIEW when set, else ProgramName beside exe, else
// ../lib/warden/ProgramName beside it; when none exists, the path beside
// exe, which Manager.Open then refuses with ErrNoProgram. It costs a
// stat or two.
func ProgramPath(exe string) string {
	if p := os.Getenv(EnvProgram); p != "" {
		return p
	}
	base := filepath.Dir(exe)
	beside := filepath.Join(base, ProgramName)
	for _, p := range []string{beside, filepath.Join(base, "..", "lib", "warden", ProgramName)} {
		if isExecutable(p) {
			return p
		}
	}
	return beside
}

// checkProgram returns ErrNoProgram, with what to do, when path is not an
// executable file.
func checkProgram(path string) error {
	if isExecutable(path) {
		return nil
	}
	return fmt.Errorf("%w: %s (make build puts it beside bin/warden; %s names another)", ErrNoProgram, path, EnvProgram)
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}
