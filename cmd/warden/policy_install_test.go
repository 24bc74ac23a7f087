package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInstallUnderPolicy runs `warden install` as a real process under
// admin policies: an untrusted publisher key is refused when signatures
// are required, a blocked permission blocks the install, and a pinned
// version refuses an update; each refusal leaves nothing installed.
func TestInstallUnderPolicy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bundle := packHello(t, dir) // signed with dir/k.key
	other := filepath.Join(dir, "other")
	os.Mkdir(other, 0o755)
	mustWarden(t, "keygen", "-o", filepath.Join(other, "k.key"))
	trusted := strings.TrimSpace(lastLine(readFile(t, filepath.Join(dir, "k.pub"))))
	untrusted := strings.TrimSpace(lastLine(readFile(t, filepath.Join(other, "k.pub"))))

	tests := []struct {
		name    string
		policy  string
		args    []string
		wantErr string // "" means the install must succeed
	}{
		{
			name:    "untrusted publisher refused when signatures are required",
			policy:  `{"policy_version":1,"default":"allow","require_signatures":true,"trusted_keys":["` + untrusted + `"]}`,
			wantErr: "untrusted key",
		},
		{
			name:   "trusted publisher accepted when signatures are required",
			policy: `{"policy_version":1,"default":"allow","require_signatures":true,"trusted_keys":["` + trusted + `"]}`,
		},
		{
			name:    "blocked permission blocks the install",
			policy:  `{"policy_version":1,"default":"allow","blocked_permissions":["storage"]}`,
			args:    []string{"--pub", filepath.Join(dir, "k.pub")},
			wantErr: "storage",
		},
		{
			name:    "blocked plugin",
			policy:  `{"policy_version":1,"default":"block"}`,
			args:    []string{"--pub", filepath.Join(dir, "k.pub")},
			wantErr: "blocked",
		},
		{
			name:    "version outside the pinned range",
			policy:  `{"policy_version":1,"default":"allow","plugins":[{"id":"dev.warden.hello","versions":">=1.2 <2"}]}`,
			args:    []string{"--pub", filepath.Join(dir, "k.pub")},
			wantErr: "1.0.0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tdir := t.TempDir()
			pol := filepath.Join(tdir, "policy.json")
			if err := os.WriteFile(pol, []byte(tt.policy), 0o644); err != nil {
				t.Fatal(err)
			}
			prof := filepath.Join(tdir, "profile")
			args := append([]string{"--profile", prof, "--policy", pol, "install", bundle, "--grant", "storage"}, tt.args...)
			out, errOut, code := runCLI(t, args...)
			list := listState(t, prof, "--policy", pol)
			if tt.wantErr == "" {
				if code != 0 || list != "1.0.0" {
					t.Fatalf("install refused (exit %d, list %q):\n%s%s", code, list, out, errOut)
				}
				return
			}
			if code == 0 {
				t.Fatalf("install succeeded, want a refusal mentioning %q:\n%s", tt.wantErr, out)
			}
			if !strings.Contains(errOut, tt.wantErr) {
				t.Fatalf("refusal does not mention %q:\n%s", tt.wantErr, errOut)
			}
			if list != "" {
				t.Fatalf("a refused install left %s installed", list)
			}
			if es, _ := os.ReadDir(filepath.Join(prof, "plugins")); len(es) != 0 {
				t.Fatalf("a refused install left files: %v", es)
			}
		})
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
