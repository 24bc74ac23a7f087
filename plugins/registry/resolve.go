package registry

import (
	"fmt"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/wardenhq/warden/manifest"
)

// maxReasons bounds how many refused versions an ErrNoMatchingVersion
// message lists.
const maxReasons = 8

// ParseRef splits a command-line reference "id" or "id@range" (such as
// "com.example.notes@^1.2" or "com.example.notes@1.4.2") into the plugin id
// and the range, checking both. An empty range means any release.
func ParseRef(ref string) (id, rng string, err error) {
	id, rng, _ = strings.Cut(ref, "@")
	if !manifest.ValidID(id) {
		return "", "", fmt.Errorf("%q is not a plugin id: ids are reverse-DNS in lower case such as com.example.notes (add @range for a version range)", abbreviate(id))
	}
	if _, err := parseRange(rng); err != nil {
		return "", "", err
	}
	return id, rng, nil
}

// parseRange parses a semver range; empty or "*" means any release
// (pre-releases only when named by the range, as everywhere in Warden).
func parseRange(rng string) (*semver.Constraints, error) {
	if strings.TrimSpace(rng) == "" {
		rng = "*"
	}
	c, err := semver.NewConstraint(rng)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %w; use a semver range such as ^1.2, ~1.4, >=1.2 <2 or an exact version", ErrBadRange, abbreviate(rng), err)
	}
	return c, nil
}

// Resolve returns the highest version of plugin id that lies in the semver
// range rng (empty means any release) and that allow accepts. allow, when
// not nil, is where the caller checks policy and host compatibility; it
// returns nil to accept a version or an error saying why not. It is called
// for the versions in range only, highest first, until one is accepted.
// An id the index does not list is ErrUnknownPlugin; no acceptable version
// is ErrNoMatchingVersion, with every version and why it was refused.
func (ix *Index) Resolve(id, rng string, allow func(Version) error) (Version, error) {
	c, err := parseRange(rng)
	if err != nil {
		return Version{}, fmt.Errorf("resolve %s: %w", id, err)
	}
	vs := ix.Versions(id)
	if vs == nil {
		return Version{}, fmt.Errorf("resolve %s: %w: the index lists %d plugins; check the id with `warden registry list`", id, ErrUnknownPlugin, len(ix.Plugins))
	}
	var reasons []string
	for i := len(vs) - 1; i >= 0; i-- {
		v := vs[i]
		sv, err := semver.StrictNewVersion(v.Version)
		var why string
		switch {
		case err != nil:
			why = "not a semantic version"
		case !c.Check(sv):
			why = "outside " + rangeText(rng)
			if sv.Prerelease() != "" {
				why += "; a pre-release is picked only when the range names it"
			}
		case allow != nil:
			if err := allow(v); err != nil {
				why = err.Error()
			}
		}
		if why == "" {
			return v, nil
		}
		reasons = append(reasons, v.Version+": "+why)
	}
	more := ""
	if len(reasons) > maxReasons {
		more = fmt.Sprintf("; and %d older versions", len(reasons)-maxReasons)
		reasons = reasons[:maxReasons]
	}
	return Version{}, fmt.Errorf("resolve %s@%s: %w: %s%s", id, rangeText(rng), ErrNoMatchingVersion, strings.Join(reasons, "; "), more)
}

// rangeText names a range in messages.
func rangeText(rng string) string {
	if strings.TrimSpace(rng) == "" {
		return "*"
	}
	return rng
}
