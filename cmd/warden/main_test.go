package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardenhq/warden/host/webview/webext"
	"github.com/wardenhq/warden/host/window"
	"github.com/wardenhq/warden/internal/helperproc"
	"github.com/wardenhq/warden/internal/plugintest"
	"github.com/wardenhq/warden/plugins/build"
)

// The test binary doubles as the warden command: as the helper process role
// wardenRole it runs main instead of the tests, so the CLI is exercised as a
// real process. Plugin windows run in the webview program, built by
// TestMain from cmd/warden-webview.
//
// The managed policy is read from $WARDEN_TEST_MANAGED_POLICY instead of
// /etc/warden/policy.json, in this test binary only (the warden binary has
// no such variable): by default a file that does not exist, so that a
// policy on the machine running the tests cannot change their outcome;
// tests that need one use setManagedPolicy.
func TestMain(m *testing.M) {
	if p := os.Getenv(managedPolicyEnv); p != "" {
		managedPolicyPath = p
	}
	helperproc.Roles{wardenRole: func() int { main(); return 0 }}.Dispatch()
	// One profile for the package: its compilation cache spares every call
	// after the first a cold compile. Each call still grants afresh.
	dir, err := os.MkdirTemp("", "warden-cli-test-")
	if err != nil {
		panic(err)
	}
	profile = dir
	// One compilation cache for every host of the run, in this process
	// and in the warden processes it starts.
	if os.Getenv(cacheDirEnv) == "" {
		cache, err := plugintest.CompileCacheDir()
		if err != nil {
			panic(err)
		}
		os.Setenv(cacheDirEnv, cache)
	}
	if os.Getenv(managedPolicyEnv) == "" {
		managedPolicyPath = filepath.Join(dir, "no-managed-policy.json")
		os.Setenv(managedPolicyEnv, managedPolicyPath)
	}
	// The web process extension, built from source like the examples'
	// backends, unless the environment points at one already. A build
	// failure fails the package: the e2e tests must not silently fall back
	// to the relayed channel.
	if os.Getenv(webext.EnvDir) == "" {
		ext := filepath.Join(dir, "webext")
		if _, err := webext.Build(context.Background(), ext); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Setenv(webext.EnvDir, ext)
	}
	// The webview program, built once for the run: plugin windows run in
	// it, started by this process and by the warden processes it starts.
	if os.Getenv(window.EnvProgram) == "" {
		prog := filepath.Join(dir, window.ProgramName)
		if out, err := exec.Command(build.GoTool(), "build", "-o", prog, "github.com/wardenhq/warden/cmd/warden-webview").CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build the webview program: %v\n%s", err, out)
			os.Exit(1)
		}
		os.Setenv(window.EnvProgram, prog)
	}
	code := m.Run()
	os.RemoveAll(dir)
	if plainDir != "" {
		os.RemoveAll(plainDir)
	}
	os.Exit(code)
}

// wardenRole is the helper process role that runs the warden command.
const wardenRole = "warden"

// managedPolicyEnv points the managed policy at a test file, in the test
// binary and the warden processes it starts.
const managedPolicyEnv = "WARDEN_TEST_MANAGED_POLICY"

// setManagedPolicy writes content as the admin's managed policy for the
// rest of the test, in this process and in the warden processes it starts,
// and returns the file's path.
func setManagedPolicy(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "managed-policy.json")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	old := managedPolicyPath
	managedPolicyPath = path
	t.Cleanup(func() { managedPolicyPath = old })
	t.Setenv(managedPolicyEnv, path)
	return path
}

// profile is the profile directory shared by the package's tests.
var profile string

// runCLI runs the command line in a child process and returns its output
// and exit code.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return wardenEnv(t, os.Environ(), args...)
}

// wardenEnv is runCLI with the child's environment given.
func wardenEnv(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return wardenWithin(t.Context(), t, env, args...)
}

// wardenWithin is wardenEnv killing the child when ctx ends.
func wardenWithin(ctx context.Context, t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := helperproc.CommandContext(ctx, wardenRole, args...)
	cmd.Env = helperproc.Env(env, wardenRole)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run warden: %v", err)
	}
	return out.String(), errb.String(), code
}

func TestCallGreet(t *testing.T) {
	hello := example(t, "hello")
	out, errOut, code := runCLI(t, "call", "--profile", profile, hello, "backend.greet", `"Ada"`)
	if code != 0 || strings.TrimSpace(out) != `"Hello, Ada!"` {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestCallDenied(t *testing.T) {
	hello := helloTiny(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"command not declared", []string{"backend.shutdown"}, "denied (not_declared)"},
		{"permission not granted", []string{"storage.get", `{"key":"a"}`, "--grant="}, "denied (not_granted)"},
		{"unknown command", []string{"system.exec"}, "denied (unknown_command)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"call", "--profile", profile, hello}, tt.args...)
			out, errOut, code := runCLI(t, args...)
			if code == 0 || !strings.Contains(errOut, tt.want) || out != "" {
				t.Fatalf("exit %d, stdout %q, stderr %q; want non-zero and %q", code, out, errOut, tt.want)
			}
		})
	}
}

func TestCallBadInput(t *testing.T) {
	hello := helloTiny(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"args not JSON", []string{"call", hello, "backend.greet", "Ada"}, "is not JSON"},
		{"no manifest", []string{"call", t.TempDir(), "backend.greet"}, "manifest.json"},
		{"grant not declared", []string{"call", hello, "backend.greet", `"Ada"`, "--grant", "http"}, "does not declare"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := runCLI(t, append(tt.args, "--profile", profile)...)
			if code == 0 || !strings.Contains(errOut, tt.want) {
				t.Fatalf("exit %d, stderr %q; want %q", code, errOut, tt.want)
			}
		})
	}
}
