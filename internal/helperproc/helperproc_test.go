package helperproc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	Roles{
		"args":  func() int { fmt.Print(strings.Join(os.Args[1:], "|")); return 0 },
		"exit":  func() int { return 7 },
		"sleep": func() int { time.Sleep(time.Minute); return 0 },
		// again runs its own role's child: the variable it inherited is
		// replaced, not doubled.
		"again": func() int {
			out, err := Command("args", "inner").Output()
			if err != nil {
				return 3
			}
			fmt.Print(string(out))
			return 0
		},
	}.Dispatch()
	// The children exit without the race detector's one-second pause.
	os.Setenv("GORACE", "atexit_sleep_ms=0")
	os.Exit(m.Run())
}

func TestCommandPassesArgs(t *testing.T) {
	for _, args := range [][]string{nil, {"a"}, {"--", "-test.run=x", "b c"}} {
		out, err := Command("args", args...).Output()
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.Join(args, "|"); string(out) != want {
			t.Errorf("role saw %q, want %q", out, want)
		}
	}
}

func TestExitStatus(t *testing.T) {
	tests := []struct {
		role string
		want int
	}{{"exit", 7}, {"no-such-role", 2}}
	for _, tt := range tests {
		err := Command(tt.role).Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != tt.want {
			t.Errorf("role %s: %v, want exit status %d", tt.role, err, tt.want)
		}
	}
}

func TestNestedRole(t *testing.T) {
	out, err := Command("again").Output()
	if err != nil || string(out) != "inner" {
		t.Fatalf("got %q, %v; want %q", out, err, "inner")
	}
}

func TestCommandContextKills(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := CommandContext(ctx, "sleep").Run(); err == nil {
		t.Fatal("the sleeping child exited cleanly")
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Fatalf("the child outlived its context by %v", d)
	}
}

func TestEnv(t *testing.T) {
	base := make([]string, 1, 4)
	base[0] = "A=1"
	env := Env(base, "r")
	if strings.Join(env, ",") != "A=1,"+EnvRole+"=r" {
		t.Fatalf("Env = %q", env)
	}
	if got := base[:2][1]; got != "" {
		t.Fatalf("Env wrote %q into base's spare capacity", got)
	}
}
