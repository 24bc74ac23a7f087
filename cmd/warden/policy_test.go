package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardenhq/warden/plugins/policy"
)

// A public key made by minisign -G and the id minisign printed for it.
const (
	testPolicyKey   = "RWTAzLo8VT6V8JxwqrXAyetiTevzgqMzcCAxPzKkpc8xhf5weLgZPczz"
	testPolicyKeyID = "F0953E553CBACCC0"
)

const testPolicy = `{
  "policy_version": 1,
  "description": "Example Co desktops",
  "default": "block",
  "require_signatures": true,
  "trusted_keys": ["` + testPolicyKey + `"],
  "blocked_permissions": ["fs.write", "clipboard.*"],
  "ceilings": {"backend_timeout_ms": 5000, "backend_memory_mb": 128, "invoke_rate": 500, "storage_quota_bytes": 1048576},
  "plugins": [
    {"id": "com.example.*", "versions": ">=1.2 <2"},
    {"id": "com.example.notes", "pin": "1.4.2"},
    {"id": "com.bad.tool", "allow": false, "reason": "sends data to third parties"}
  ]
}
`

// runWarden runs the command line in-process and returns its output.
func runWarden(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	root := newRoot()
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs(args)
	err = root.ExecuteContext(t.Context())
	return out.String(), errb.String(), err
}

func writePolicy(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "policy.json")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPolicyCheck(t *testing.T) {
	path := writePolicy(t, testPolicy)
	out, errOut, err := runWarden(t, "policy", "check", path)
	if err != nil {
		t.Fatalf("check: %v\n%s", err, errOut)
	}
	want := path + `: valid
description:         Example Co desktops
default:             block
plugin entries:      3
  plugins[0] "com.example.*": allow, versions >=1.2 <2
  plugins[1] "com.example.notes": allow, pin 1.4.2
  plugins[2] "com.bad.tool": block (sends data to third parties)
require signatures:  yes
trusted keys:        1
  ` + testPolicyKeyID + `  ` + testPolicyKey + `
blocked permissions: fs.write, clipboard.*
ceilings:            backend timeout 5s, backend memory 128 MiB, 500 invokes/s, storage 1048576 bytes
network isolation:   not required
developer mode:      on
isolation hook:      none
`
	if out != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", out, want)
	}
	// The policy requires signatures but leaves developer mode on.
	if want := "warning: require_signatures is true but developer_mode is not false"; !strings.HasPrefix(errOut, want) || strings.Count(errOut, "\n") != 1 {
		t.Errorf("stderr: %s\nwant one warning starting %q", errOut, want)
	}
}

func TestPolicyCheckFromFlagAndEnv(t *testing.T) {
	path := writePolicy(t, `{"policy_version": 1, "default": "allow", "trusted_keys": ["`+testPolicyKey+`"]}`)
	out, errOut, err := runWarden(t, "policy", "check", "--policy", path)
	if err != nil || !strings.HasPrefix(out, path+": valid") || !strings.Contains(errOut, "warning: trusted_keys are listed but require_signatures is false") {
		t.Errorf("--policy: %v\nstdout:\n%s\nstderr:\n%s", err, out, errOut)
	}
	t.Setenv(policyEnv, path)
	out, _, err = runWarden(t, "policy", "check")
	if err != nil || !strings.HasPrefix(out, path+": valid") {
		t.Errorf("$%s: %v\n%s", policyEnv, err, out)
	}
}

func TestPolicyCheckInvalid(t *testing.T) {
	bad := writePolicy(t, "{\n  \"policy_version\": 1,\n  \"default\": \"deny\",\n  \"plugins\": [{\"id\": \"a.b\", \"pin\": \"x\"}]\n}\n")
	tests := []struct {
		name string
		file string
		want []string
	}{
		{"bad values", bad, []string{bad + ": invalid", bad + `:3:14: default: must be "allow" or "block", got "deny"`, bad + `:4:36: plugins[0].pin: invalid version "x"`}},
		{"missing file", filepath.Join(t.TempDir(), "none.json"), []string{"does not exist"}},
		{"syntax", writePolicy(t, `{"default": "allow",}`), []string{":1:21: invalid JSON"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, err := runWarden(t, "policy", "check", tt.file)
			var ex *exitError
			if !errors.As(err, &ex) || ex.code != 1 {
				t.Fatalf("err %v, want exit 1", err)
			}
			if out != "" {
				t.Errorf("stdout: %s", out)
			}
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
}

// TestPolicyCheckExitCode runs the real binary: an invalid file exits 1.
func TestPolicyCheckExitCode(t *testing.T) {
	_, errOut, code := runCLI(t, "policy", "check", writePolicy(t, `{"policy_version": 1}`))
	if code != 1 || !strings.Contains(errOut, "default: is required") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

func TestPolicyExplain(t *testing.T) {
	path := writePolicy(t, testPolicy)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"entry", []string{"com.example.notes"}, []string{
			"policy: " + path,
			`entry: plugins[1] "com.example.notes" (most specific; also matching: plugins[0] "com.example.*")`,
			"allowed: yes, only version 1.4.2",
			"signatures: required, by one of the trusted publisher keys " + testPolicyKeyID,
			"blocked permissions: fs.write, clipboard.*",
			"ceilings: backend timeout 5s, backend memory 128 MiB, 500 invokes/s, storage 1048576 bytes",
		}},
		{"not listed", []string{"org.other"}, []string{
			"entry: none matches org.other; the default is block",
			"allowed: no, the admin policy allows only listed plugins and org.other is not listed",
		}},
		{"allowed version", []string{"com.example.todo", "--version", "1.9.0", "--signer", strings.ToLower(testPolicyKeyID), "--permission", "storage"},
			[]string{`decision for 1.9.0: allowed (plugins[0] "com.example.*")`}},
		{"version outside range", []string{"com.example.todo", "--version", "2.0.0", "--signer", testPolicyKeyID},
			[]string{`decision for 2.0.0: blocked (plugins[0] "com.example.*"): com.example.todo 2.0.0 is not allowed: the admin allows only versions >=1.2 <2`}},
		{"newer than pin", []string{"com.example.notes", "--version", "1.5.0", "--signer", testPolicyKeyID},
			[]string{"decision for 1.5.0: blocked", "pinned version 1.4.2"}},
		{"unsigned", []string{"com.example.todo", "--version", "1.9.0"},
			[]string{"decision for 1.9.0: blocked (require_signatures)", "pass --signer KEYID"}},
		{"untrusted signer", []string{"com.example.todo", "--version", "1.9.0", "--signer", "69001AABA261FADB"},
			[]string{"decision for 1.9.0: blocked (trusted_keys): com.example.todo is signed by key 69001AABA261FADB"}},
		{"blocked permission", []string{"com.example.todo", "--version", "1.9.0", "--signer", testPolicyKeyID, "--permission", "storage,fs.write"},
			[]string{`decision for 1.9.0: blocked (blocked_permissions[0]): com.example.todo asks for permission "fs.write"`}},
		{"blocked plugin", []string{"com.bad.tool", "--version", "1.0.0"},
			[]string{"allowed: no, the admin policy blocks com.bad.tool: sends data to third parties"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, err := runWarden(t, append([]string{"policy", "explain", "--policy", path}, tt.args...)...)
			if err != nil {
				t.Fatalf("%v\n%s", err, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestPolicyExplainNoPolicy(t *testing.T) {
	t.Setenv(policyEnv, filepath.Join(t.TempDir(), "absent.json"))
	out, _, err := runWarden(t, "policy", "explain", "com.example.notes", "--version", "1.0.0")
	if err != nil || !strings.Contains(out, "policy: no policy file at") || !strings.Contains(out, "decision for 1.0.0: allowed (no policy)") {
		t.Errorf("%v\n%s", err, out)
	}
}

func TestPolicyExplainInvalid(t *testing.T) {
	path := writePolicy(t, `{"policy_version": 1, "default": "allow", "plugins": [{"id": "A"}]}`)
	_, _, err := runWarden(t, "policy", "explain", "--policy", path, "com.example.notes")
	if !errors.Is(err, policy.ErrInvalid) || !strings.Contains(err.Error(), "plugins[0].id") {
		t.Errorf("got %v", err)
	}
}

func TestPolicyDefaultPath(t *testing.T) {
	t.Setenv(policyEnv, "")
	if got := defaultPolicyPath(); got != "" {
		t.Errorf("with no $%s the user has no policy layer, got %q", policyEnv, got)
	}
	t.Setenv(policyEnv, "/srv/policy.json")
	if got := defaultPolicyPath(); got != "/srv/policy.json" {
		t.Errorf("with $%s: %q", policyEnv, got)
	}
	if got := userPolicyPath(&globals{policy: managedPolicyPath}); got != "" {
		t.Errorf("--policy naming the managed file is not a second layer, got %q", got)
	}
}

// TestPolicyExplainShowsBothLayers: explain prints the admin's policy,
// the user's and what is in force.
func TestPolicyExplainShowsBothLayers(t *testing.T) {
	managed := setManagedPolicy(t, `{"policy_version": 1, "default": "allow", "plugins": [{"id": "com.bad.tool", "allow": false, "reason": "leaks"}], "ceilings": {"invoke_rate": 50}}`)
	user := writePolicy(t, `{"policy_version": 1, "default": "allow", "plugins": [{"id": "com.bad.tool"}], "ceilings": {"invoke_rate": 500}, "require_network_isolation": true}`)
	out, errOut, err := runWarden(t, "policy", "explain", "--policy", user, "com.bad.tool", "--version", "1.0.0")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	for _, w := range []string{
		"policy: managed " + managed + ", plus " + user + " (which can only add restrictions)",
		"managed policy (always applies):\n  policy: " + managed,
		"user policy (can only add restrictions):\n  policy: " + user,
		"in force (a plugin must be allowed by every policy; the stricter setting wins):\n  allowed: no, the admin policy blocks com.bad.tool: leaks (" + managed + ")",
		"  ceilings: 50 invokes/s",
		"  network isolation: required",
		`decision for 1.0.0: blocked (plugins[0] "com.bad.tool" in ` + managed + `)`,
	} {
		if !strings.Contains(out, w) {
			t.Errorf("explain lacks %q:\n%s", w, out)
		}
	}
	// check looks at one file: the argument, else --policy, else the
	// managed policy.
	if out, _, err := runWarden(t, "policy", "check"); err != nil || !strings.HasPrefix(out, managed+": valid") {
		t.Errorf("check with no file: %v\n%s", err, out)
	}
}

// TestInvalidManagedPolicyFailsClosed: a managed policy that does not parse
// stops commands that run plugins, and a valid user file does not replace it.
func TestInvalidManagedPolicyFailsClosed(t *testing.T) {
	setManagedPolicy(t, `{"policy_version": 1, "default": "deny"}`)
	user := writePolicy(t, `{"policy_version": 1, "default": "allow"}`)
	_, _, err := runWarden(t, "--policy", user, "call", helloTiny(t), "backend.greet", `"Ada"`)
	if !errors.Is(err, policy.ErrInvalid) || !strings.Contains(err.Error(), "admin policy") {
		t.Errorf("got %v", err)
	}
}

// TestPolicyCheckVerifiesHook: check reads the hook the policy names,
// checks it against its pin and reports it; a hook that cannot be used
// fails the check with the reason, like an invalid policy.
func TestPolicyCheckVerifiesHook(t *testing.T) {
	dir := t.TempDir()
	hook := filepath.Join(dir, "hook.js")
	src := []byte(adminHookJS)
	if err := os.WriteFile(hook, src, 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "policy.json")
	if err := os.WriteFile(path, []byte(adminPolicy("hook.js", sha256Of(src))), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := runWarden(t, "policy", "check", path)
	want := fmt.Sprintf("isolation hook:      %s (sha256 %s): %d bytes, matches its pin\n", hook, sha256Of(src), len(src))
	if err != nil || !strings.HasSuffix(out, want) || errOut != "" {
		t.Fatalf("check: %v\n%s%s\nwant the last line %q", err, out, errOut, want)
	}

	tests := []struct {
		name    string
		content []byte // nil: no file
		want    string
	}{
		{"changed", []byte(strings.Replace(adminHookJS, "throw", "void ", 1)), "isolation hook does not match its sha256 pin: " + hook + " (isolation_hook in " + path + ") has sha256 "},
		{"missing", nil, "isolation hook cannot be used: " + hook + " (isolation_hook in " + path + "): open " + hook + ": no such file or directory"},
		{"too large", append(src, make([]byte, policy.MaxHookSize)...), "the file is larger than the 262144 bytes allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(hook)
			if tt.content != nil {
				if err := os.WriteFile(hook, tt.content, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			out, errOut, err := runWarden(t, "policy", "check", path)
			var ee *exitError
			if !errors.As(err, &ee) || ee.code != 1 || !strings.HasPrefix(errOut, "error: isolation hook ") || !strings.Contains(errOut, tt.want) || !strings.Contains(out, hook+" (sha256 "+sha256Of(src)+"): ") {
				t.Errorf("check: %v\nstdout:\n%s\nstderr:\n%s\nwant exit 1 and %q", err, out, errOut, tt.want)
			}
		})
	}
}
