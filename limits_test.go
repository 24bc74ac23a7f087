package warden

import (
	"testing"
	"time"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/plugins/policy"
)

// TestLimitsOf: a policy ceiling only ever lowers a limit, whatever the
// application set, and turns a limit the application switched off back on.
func TestLimitsOf(t *testing.T) {
	d := host.DefaultLimits
	for _, tt := range []struct {
		name string
		base host.Limits
		c    policy.Ceilings
		want func(host.Limits) bool
	}{
		{"no ceiling keeps the application's", host.Limits{StorageQuota: 5}, policy.Ceilings{}, func(l host.Limits) bool { return l.StorageQuota == 5 }},
		{"ceiling under the default", host.Limits{}, policy.Ceilings{StorageQuota: 10}, func(l host.Limits) bool { return l.StorageQuota == 10 }},
		{"ceiling over the default", host.Limits{}, policy.Ceilings{StorageQuota: d.StorageQuota * 2}, func(l host.Limits) bool { return l.StorageQuota == d.StorageQuota }},
		{"ceiling over the application's", host.Limits{StorageQuota: 5}, policy.Ceilings{StorageQuota: 10}, func(l host.Limits) bool { return l.StorageQuota == 5 }},
		{"timeout", host.Limits{}, policy.Ceilings{BackendTimeout: time.Millisecond}, func(l host.Limits) bool { return l.MaxTimeout == time.Millisecond }},
		{"memory", host.Limits{}, policy.Ceilings{BackendMemoryMB: 1}, func(l host.Limits) bool { return l.MaxMemoryMB == 1 }},
		{"rate", host.Limits{}, policy.Ceilings{InvokeRate: 3}, func(l host.Limits) bool { return l.Rate == 3 && l.Burst == 3 }},
		{"rate the application turned off", host.Limits{Rate: -1}, policy.Ceilings{InvokeRate: 3}, func(l host.Limits) bool { return l.Rate == 3 }},
	} {
		if got := limitsOf(tt.base, tt.c); !tt.want(got) {
			t.Errorf("%s: %+v", tt.name, got)
		}
	}
}
