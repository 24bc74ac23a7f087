package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/wardenhq/warden/internal/helperproc"
	"github.com/wardenhq/warden/plugins/build"
)

// plainDir holds a warden built without the race detector, once per test
// binary. Tests use it for setup steps (keygen, pack, registry add) that
// the race detector slows ten times over and that are not what they test.
// Without -race this test binary is such a warden already and nothing is
// built.
var plainDir string

var plainBin = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "warden-plain-")
	if err != nil {
		return "", err
	}
	plainDir = dir
	bin := filepath.Join(dir, "warden")
	if out, err := exec.Command(build.GoTool(), "build", "-o", bin, ".").CombinedOutput(); err != nil {
		return "", &buildError{out: string(out), err: err}
	}
	return bin, nil
})

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return "go build: " + e.err.Error() + "\n" + e.out }

// plainCommand returns a command running a warden built without the race
// detector with args: this test binary when it is one (see TestMain), else
// plainBin.
func plainCommand(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	if !raceEnabled {
		return helperproc.Command(wardenRole, args...)
	}
	bin, err := plainBin()
	if err != nil {
		t.Fatal(err)
	}
	return exec.Command(bin, args...)
}

// mustPlain runs the plain warden with args and fails the test when it
// exits non-zero.
func mustPlain(t *testing.T, args ...string) string {
	t.Helper()
	out, err := plainCommand(t, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("warden %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}
