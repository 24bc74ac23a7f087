package warden

import (
	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/plugins/policy"
)

// limitsOf lowers base (zero fields: host.DefaultLimits) to the policy's
// resource ceilings: a ceiling can only lower a limit, and a limit the
// application turned off (a negative Rate) is back on under a ceiling.
// They apply to the plugins a process starts; a changed ceiling takes
// effect at the next start.
func limitsOf(base host.Limits, c policy.Ceilings) host.Limits {
	d := host.DefaultLimits
	l := base
	if c.BackendTimeout > 0 {
		l.MaxTimeout = min(c.BackendTimeout, orDefault(base.MaxTimeout, d.MaxTimeout))
	}
	if c.BackendMemoryMB > 0 {
		l.MaxMemoryMB = min(c.BackendMemoryMB, orDefault(base.MaxMemoryMB, d.MaxMemoryMB))
	}
	if c.StorageQuota > 0 {
		l.StorageQuota = min(c.StorageQuota, orDefault(base.StorageQuota, d.StorageQuota))
	}
	if c.InvokeRate > 0 {
		rate := orDefault(base.Rate, d.Rate)
		if rate < 0 {
			rate = float64(c.InvokeRate)
		}
		l.Rate = min(float64(c.InvokeRate), rate)
		l.Burst = min(c.InvokeRate, orDefault(base.Burst, d.Burst))
	}
	return l
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}
