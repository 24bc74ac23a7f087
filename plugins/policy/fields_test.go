package policy

import (
	"errors"
	"strings"
	"testing"
)

func TestParseNetworkIsolationAndDeveloperMode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		extra   string
		netIso  bool
		devMode bool
	}{
		{"left out", ``, false, true},
		{"isolation required", `, "require_network_isolation": true`, true, true},
		{"isolation not required", `, "require_network_isolation": false`, false, true},
		{"developer mode off", `, "developer_mode": false`, false, false},
		{"developer mode on", `, "developer_mode": true`, false, true},
		{"both", `, "developer_mode": false, "require_network_isolation": true`, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, `{"policy_version": 1, "default": "allow"`+tt.extra+`}`)
			if p.RequireNetworkIsolation() != tt.netIso || p.DeveloperMode() != tt.devMode {
				t.Errorf("network isolation %v, developer mode %v; want %v, %v", p.RequireNetworkIsolation(), p.DeveloperMode(), tt.netIso, tt.devMode)
			}
		})
	}
	var nilPolicy *Policy
	if nilPolicy.RequireNetworkIsolation() || !nilPolicy.DeveloperMode() {
		t.Error("the nil policy must not require isolation and must allow developer mode")
	}
}

func TestParseNetworkIsolationAndDeveloperModeBadValues(t *testing.T) {
	t.Parallel()
	for _, src := range []string{
		`{"policy_version": 1, "default": "allow", "require_network_isolation": "yes"}`,
		`{"policy_version": 1, "default": "allow", "require_network_isolation": null}`,
		`{"policy_version": 1, "default": "allow", "require_network_isolation": 1}`,
		`{"policy_version": 1, "default": "allow", "developer_mode": "off"}`,
		`{"policy_version": 1, "default": "allow", "developer_mode": null}`,
	} {
		_, err := Parse([]byte(src))
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err %v, want ErrInvalid", src, err)
			continue
		}
		field := "require_network_isolation"
		if strings.Contains(src, "developer_mode") {
			field = "developer_mode"
		}
		if !strings.Contains(err.Error(), field) {
			t.Errorf("%s: error %q does not name %s", src, err, field)
		}
	}
}

func TestInvalidFileFailsClosedOnNewFields(t *testing.T) {
	t.Parallel()
	p := invalidPolicy("/etc/warden/policy.json", errors.New("broken"))
	if !p.RequireNetworkIsolation() || p.DeveloperMode() {
		t.Error("a policy that cannot be read must require isolation and turn developer mode off")
	}
}
