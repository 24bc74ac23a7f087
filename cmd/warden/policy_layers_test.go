package main

import (
	"archive/zip"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/helperproc"
)

// The admin's policy blocks the hello example; the user's own file allows
// it by its exact id, which would win over a pattern inside one file.
const (
	managedBlocksHello = `{"policy_version": 1, "default": "allow", "plugins": [{"id": "dev.warden.hello", "allow": false, "reason": "not approved by IT"}]}`
	userAllowsHello    = `{"policy_version": 1, "default": "allow", "developer_mode": true, "plugins": [{"id": "dev.warden.hello"}]}`
)

// userPolicyRoutes are the two ways a user names a policy of their own:
// each returns the environment and the arguments to put before the command.
func userPolicyRoutes(t *testing.T, content string) map[string]func() ([]string, []string) {
	path := writePolicy(t, content)
	return map[string]func() ([]string, []string){
		"--policy":      func() ([]string, []string) { return os.Environ(), []string{"--policy", path} },
		"WARDEN_POLICY": func() ([]string, []string) { return append(os.Environ(), policyEnv+"="+path), nil },
	}
}

// TestUserPolicyCannotLiftManagedBlockAtInstall: with the admin's policy
// blocking a plugin, a user who points --policy or $WARDEN_POLICY at a file
// that allows it still cannot install it.
func TestUserPolicyCannotLiftManagedBlockAtInstall(t *testing.T) {
	dir := t.TempDir()
	bundle := packHello(t, dir)
	setManagedPolicy(t, managedBlocksHello)
	for name, route := range userPolicyRoutes(t, userAllowsHello) {
		t.Run(name, func(t *testing.T) {
			prof := filepath.Join(t.TempDir(), "profile")
			env, pre := route()
			args := append(pre, "--profile", prof, "install", bundle, "--pub", filepath.Join(dir, "k.pub"), "--grant", "storage")
			out, errOut, code := wardenEnv(t, env, args...)
			if code == 0 || !strings.Contains(errOut, "not approved by IT") {
				t.Fatalf("install under a user policy that allows what the admin blocks: exit %d\n%s%s", code, out, errOut)
			}
			if list := listState(t, prof); list != "" {
				t.Fatalf("refused install left %s installed", list)
			}
		})
	}
}

// TestUserPolicyCannotLiftManagedBlockAtCall: a plugin installed before
// the admin blocked it cannot be called through a user policy that allows
// it.
func TestUserPolicyCannotLiftManagedBlockAtCall(t *testing.T) {
	dir := t.TempDir()
	prof := filepath.Join(dir, "profile")
	bundle := packHello(t, dir)
	mustWarden(t, "--profile", prof, "install", bundle, "--pub", filepath.Join(dir, "k.pub"), "--grant", "storage")
	managed := setManagedPolicy(t, managedBlocksHello)
	for name, route := range userPolicyRoutes(t, userAllowsHello) {
		t.Run(name, func(t *testing.T) {
			env, pre := route()
			out, errOut, code := wardenEnv(t, env, append(pre, "--profile", prof, "call", "dev.warden.hello", "backend.greet", `"Ada"`)...)
			if code == 0 || strings.Contains(out, "Hello") || !strings.Contains(errOut, "not approved by IT") {
				t.Fatalf("call under a user policy that allows what the admin blocks: exit %d\n%s%s", code, out, errOut)
			}
			// info shows both layers and the admin's decision.
			out, errOut, code = wardenEnv(t, env, append(pre, "--profile", prof, "info", "dev.warden.hello")...)
			if code != 0 || !strings.Contains(out, "policies:   managed "+managed+", plus ") || !strings.Contains(out, "not approved by IT") {
				t.Errorf("info: exit %d\n%s%s", code, out, errOut)
			}
		})
	}
}

// TestE2EUserPolicyCannotLiftManagedBlockAtRun: `warden run` with a user
// policy that allows a plugin the admin blocks does not open its window.
func TestE2EUserPolicyCannotLiftManagedBlockAtRun(t *testing.T) {
	needDisplay(t)
	dir := t.TempDir()
	prof := filepath.Join(dir, "profile")
	bundle := packHello(t, dir)
	mustWarden(t, "--profile", prof, "install", bundle, "--pub", filepath.Join(dir, "k.pub"), "--grant", "storage")
	setManagedPolicy(t, managedBlocksHello)
	webview, logText := startRun(t, prof, writePolicy(t, userAllowsHello))
	waitLogged(t, "warden run reports the admin's reason", 20*time.Second, logText, func() bool { return strings.Contains(logText(), "not approved by IT") })
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		if webview() != 0 {
			t.Fatalf("the blocked plugin's webview process started\nwarden run said:\n%s", logText())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestRefusedBundleRunFromSource: the attacker unzips a bundle the admin
// refuses and runs the directory with call and open, with and without a
// user policy that allows it.
func TestRefusedBundleRunFromSource(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "unzipped")
	unzip(t, packHello(t, dir), src)
	setManagedPolicy(t, managedBlocksHello)
	user := writePolicy(t, userAllowsHello)
	for _, pre := range [][]string{nil, {"--policy", user}} {
		for _, cmd := range [][]string{{"call", src, "backend.greet", `"Ada"`}, {"open", src}} {
			args := append(append([]string{"--profile", filepath.Join(t.TempDir(), "p")}, pre...), cmd...)
			out, errOut, code := wardenLimited(t, args...)
			if code == 0 || strings.Contains(out, "Hello") || !strings.Contains(errOut, "not approved by IT") || !strings.Contains(errOut, "plugin blocked by policy") {
				t.Errorf("warden %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
			}
		}
	}
}

// TestDeveloperModeOffRefusesSourceDirs: with "developer_mode": false in
// the admin's policy, no plugin runs from a directory (call, open, demo),
// whatever the user's policy says; installed plugins still run.
func TestDeveloperModeOffRefusesSourceDirs(t *testing.T) {
	managed := setManagedPolicy(t, `{"policy_version": 1, "default": "allow", "developer_mode": false}`)
	user := writePolicy(t, `{"policy_version": 1, "default": "allow", "developer_mode": true}`)
	hello := helloTiny(t)
	for _, pre := range [][]string{nil, {"--policy", user}} {
		for _, cmd := range [][]string{
			{"call", hello, "backend.greet", `"Ada"`},
			{"open", hello},
			{"demo", "--examples", filepath.Dir(hello)},
		} {
			args := append(append([]string{"--profile", filepath.Join(t.TempDir(), "p")}, pre...), cmd...)
			out, errOut, code := wardenLimited(t, args...)
			if code == 0 || strings.Contains(out, "Hello") || !strings.Contains(errOut, managed+` sets "developer_mode": false`) {
				t.Errorf("warden %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
			}
		}
	}
}

// TestSourcePluginAskingForBlockedPermission: with developer mode on, a
// plugin run from its directory that asks for a permission the admin
// blocks is refused, even when --grant gives it nothing.
func TestSourcePluginAskingForBlockedPermission(t *testing.T) {
	setManagedPolicy(t, `{"policy_version": 1, "default": "allow", "blocked_permissions": ["storage"]}`)
	hello := helloTiny(t)
	for _, cmd := range [][]string{
		{"call", hello, "backend.greet", `"Ada"`},
		{"call", hello, "backend.greet", `"Ada"`, "--grant="},
		{"open", hello},
	} {
		args := append([]string{"--profile", filepath.Join(t.TempDir(), "p")}, cmd...)
		out, errOut, code := wardenLimited(t, args...)
		if code == 0 || strings.Contains(out, "Hello") || !strings.Contains(errOut, `asks for permission "storage", which the admin policy blocks`) {
			t.Errorf("warden %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
		}
	}
}

// wardenLimited is warden for commands that would keep running if the
// policy let them (open, demo): after a minute it kills the process and
// fails the test.
func wardenLimited(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := helperproc.CommandContext(ctx, wardenRole, args...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("warden %s was still running after a minute: the policy did not stop it\n%s", strings.Join(args, " "), errb.String())
	}
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run warden: %v", err)
	}
	return out.String(), errb.String(), code
}

// unzip extracts the bundle at path into dir, as an attacker would with any
// zip tool.
func unzip(t *testing.T, path, dir string) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		dst := filepath.Join(dir, filepath.FromSlash(f.Name))
		if f.FileInfo().IsDir() {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err != nil {
		t.Fatalf("the bundle did not unzip to a plugin directory: %v", err)
	}
}
