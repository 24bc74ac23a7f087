package manifest

import (
	"fmt"

	"github.com/Masterminds/semver/v3"
)

// CheckHost reports whether the plugin supports the running host version:
// nil, or an error wrapping ErrHostIncompatible that names both versions.
// A pre-release host (a development build such as "0.2.0-dev") is also
// accepted when its release version satisfies the constraint, so that
// development builds run the plugins written for the release they lead to.
func (m *Manifest) CheckHost(hostVersion string) error {
	v, err := semver.NewVersion(hostVersion)
	if err != nil {
		return fmt.Errorf("check host: invalid host version %q: %w", hostVersion, err)
	}
	c, err := semver.NewConstraint(m.Host)
	if err != nil {
		return fmt.Errorf("check host: plugin %s: invalid host constraint %q: %w", m.ID, m.Host, err)
	}
	if c.Check(v) {
		return nil
	}
	if v.Prerelease() != "" {
		if rel, err := v.SetPrerelease(""); err == nil && c.Check(&rel) {
			return nil
		}
	}
	return fmt.Errorf("%w: plugin %s %s needs host %q, running %s", ErrHostIncompatible, m.ID, m.Version, m.Host, v)
}
