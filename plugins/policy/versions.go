package policy

import "github.com/Masterminds/semver/v3"

// AllowsVersion reports whether the policy lets version of plugin id run,
// looking only at the entry or default and the entry's version rules (not
// at signatures or permissions; see [Policy.Check]). A version that is not
// semver is allowed only when the entry has no version rules.
func (p *Policy) AllowsVersion(id, version string) bool {
	allowed, ok := p.versionFilter(id)
	return ok && allowed(version)
}

// versionFilter looks up id's entry once and returns a test for its
// versions; ok is false when the plugin is blocked whatever the version.
func (p *Policy) versionFilter(id string) (allowed func(string) bool, ok bool) {
	if p != nil && len(p.layers) > 0 {
		return p.layersVersionFilter(id)
	}
	if p == nil || p.Missing {
		return func(string) bool { return true }, true
	}
	e := p.entry(id)
	if _, ok := p.checkEntry(e, id); !ok {
		return nil, false
	}
	return func(v string) bool { return e == nil || e.versionProblem(v) == "" }, true
}

// Pick returns the highest of versions that the policy allows for id (see
// [Policy.AllowsVersion]), as written in versions, and false when none is
// allowed. Strings that are not semantic versions are skipped. An exact pin
// allows only itself, so it wins over newer versions; a range such as
// ">=1.2 <2" picks 1.9.0 over 2.0.0. It costs one entry lookup and one
// version parse per version.
func (p *Policy) Pick(id string, versions []string) (string, bool) {
	allowed, ok := p.versionFilter(id)
	if !ok {
		return "", false
	}
	var best *semver.Version
	pick := ""
	for _, s := range versions {
		v, err := semver.NewVersion(s)
		if err != nil || !allowed(s) {
			continue
		}
		if best == nil || v.GreaterThan(best) {
			best, pick = v, s
		}
	}
	return pick, best != nil
}

// layersVersionFilter is versionFilter for a combined policy: a version
// must pass every layer's filter.
func (p *Policy) layersVersionFilter(id string) (allowed func(string) bool, ok bool) {
	filters := make([]func(string) bool, 0, len(p.layers))
	for _, l := range p.layers {
		f, ok := l.versionFilter(id)
		if !ok {
			return nil, false
		}
		filters = append(filters, f)
	}
	return func(v string) bool {
		for _, f := range filters {
			if !f(v) {
				return false
			}
		}
		return true
	}, true
}
