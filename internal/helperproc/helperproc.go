// Package helperproc lets a test binary re-run itself as a child process
// that plays a named role: a fake webview process, a child to kill in the
// middle of a write, the warden command itself (the helper process
// pattern of os/exec's and hashicorp/go-plugin's tests).
//
// A package's TestMain lists its roles and dispatches first thing:
//
//	func TestMain(m *testing.M) {
//		helperproc.Roles{"echo": runEcho}.Dispatch()
//		os.Exit(m.Run())
//	}
//
// and a test starts a child with [Command]:
//
//	cmd := helperproc.Command("echo", "arg")
//
// The child is the test binary with the role named in $WARDEN_HELPER_ROLE
// and "-test.run=^$ --" before the role's arguments, so that a binary
// whose TestMain forgot to dispatch runs no tests (and starts no children
// of its own) instead of all of them. Dispatch removes that prefix: the
// role sees os.Args as the binary followed by its own arguments.
package helperproc

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
)

// EnvRole names the environment variable that selects a child's role.
// A child's children inherit it, so a role that re-executes os.Args[0]
// (the warden command starting its webview process) plays itself again.
const EnvRole = "WARDEN_HELPER_ROLE"

// prefix goes before a role's arguments; see the package documentation.
var prefix = []string{"-test.run=^$", "--"}

// Roles maps role names to the functions that play them; a function's
// result is the child's exit status.
type Roles map[string]func() int

// Dispatch returns at once when $WARDEN_HELPER_ROLE is unset or empty, as
// it is in the test binary the go command runs. Otherwise it plays the
// role the variable names and exits with its result, or with status 2
// when no such role is listed. It must be called from TestMain before
// m.Run, which would parse the role's arguments as test flags.
func (r Roles) Dispatch() {
	name := os.Getenv(EnvRole)
	if name == "" {
		return
	}
	play, ok := r[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "helperproc: %s=%q names no role of this test binary\n", EnvRole, name)
		os.Exit(2)
	}
	if len(os.Args) > len(prefix) && slices.Equal(os.Args[1:1+len(prefix)], prefix) {
		os.Args = append(os.Args[:1:1], os.Args[1+len(prefix):]...)
	}
	os.Exit(play())
}

// Command returns a command that runs this test binary as role with args:
// Path is the binary, Args its argument list, Env this process's
// environment with [EnvRole] set. Callers may change any field before
// starting it; to start it elsewhere (a supervisor's spec), copy Path,
// Args[1:] and Env.
func Command(role string, args ...string) *exec.Cmd {
	return setup(exec.Command(executable(), argv(args)...), role)
}

// CommandContext is Command with a context that kills the child, as
// [exec.CommandContext] does.
func CommandContext(ctx context.Context, role string, args ...string) *exec.Cmd {
	return setup(exec.CommandContext(ctx, executable(), argv(args)...), role)
}

// Env returns base with [EnvRole] set to role, for a child whose
// environment is not this process's; base is not modified.
func Env(base []string, role string) []string {
	return append(slices.Clip(base), EnvRole+"="+role)
}

func setup(cmd *exec.Cmd, role string) *exec.Cmd {
	cmd.Env = Env(os.Environ(), role)
	return cmd
}

func argv(args []string) []string {
	return append(slices.Clone(prefix), args...)
}

// executable is this test binary. os.Executable survives a test that
// changes the working directory, which a relative os.Args[0] would not.
func executable() string {
	if exe, err := os.Executable(); err == nil {
		return exe
	}
	return os.Args[0]
}
