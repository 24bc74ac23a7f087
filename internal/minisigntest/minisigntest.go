// Package minisigntest runs Debian's minisign from tests that check Warden's
// keys and signatures interoperate with it.
package minisigntest

import (
	"os/exec"
	"strings"
	"testing"
)

// Bin returns the path of minisign. Interoperability is a requirement, so a
// missing binary fails the test rather than skipping it.
func Bin(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("minisign")
	if err != nil {
		t.Fatalf("minisign is not on PATH: run scripts/setup.sh (it installs the Debian package minisign): %v", err)
	}
	return p
}

// Run runs name with args and empty standard input and returns its combined
// output; a failing command fails the test.
func Run(t testing.TB, name string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), name, args...)
	cmd.Stdin = strings.NewReader("")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}
