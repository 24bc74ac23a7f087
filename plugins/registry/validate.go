package registry

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/Masterminds/semver/v3"

	"github.com/wardenhq/warden/manifest"
	"github.com/wardenhq/warden/plugins/signing"
)

// Bounds on index fields, far above real values; they keep error messages
// and listings sane.
const (
	maxURLLen  = 2048
	maxTextLen = 1024
	maxPermLen = 128
)

// validate checks what the JSON types cannot.
func (ix *Index) validate() error {
	if ix.IndexVersion != IndexVersion {
		if ix.IndexVersion > IndexVersion {
			return fmt.Errorf("index_version %d is newer than this Warden reads (%d); update Warden", ix.IndexVersion, IndexVersion)
		}
		return fmt.Errorf("index_version must be %d, got %d", IndexVersion, ix.IndexVersion)
	}
	if ix.Updated.IsZero() {
		return errors.New("updated is required (an RFC 3339 time)")
	}
	if !ix.Expires.IsZero() && !ix.Expires.After(ix.Updated) {
		return fmt.Errorf("expires (%s) must be after updated (%s)", ix.Expires.Format(time.RFC3339), ix.Updated.Format(time.RFC3339))
	}
	if ix.Plugins == nil {
		return errors.New(`plugins is required (an object, {} for an empty registry)`)
	}
	for _, id := range ix.IDs() {
		if err := validatePlugin(id, ix.Plugins[id]); err != nil {
			return err
		}
	}
	return nil
}

// validatePlugin checks one plugin entry.
func validatePlugin(id string, p Plugin) error {
	field := fmt.Sprintf("plugins[%q]", id)
	if !manifest.ValidID(id) {
		return fmt.Errorf("%s: not a plugin id: ids are reverse-DNS in lower case such as com.example.notes", field)
	}
	if err := checkText(field+".name", p.Name, true); err != nil {
		return err
	}
	if err := checkText(field+".publisher", p.Publisher, false); err != nil {
		return err
	}
	if err := checkText(field+".description", p.Description, false); err != nil {
		return err
	}
	if len(p.Versions) == 0 {
		return fmt.Errorf("%s.versions: must list at least one version", field)
	}
	seen := make(map[string]string, len(p.Versions))
	for i, v := range p.Versions {
		vf := fmt.Sprintf("%s.versions[%d]", field, i)
		sv, err := validateVersion(vf, v)
		if err != nil {
			return err
		}
		// Build metadata does not make a different version.
		key := sv.String()
		if b, _, ok := strings.Cut(key, "+"); ok {
			key = b
		}
		if prev, dup := seen[key]; dup {
			return fmt.Errorf("%s.version: %s is listed twice (also as %s)", vf, v.Version, prev)
		}
		seen[key] = v.Version
	}
	return nil
}

// validateVersion checks one version entry and returns its parsed version.
func validateVersion(field string, v Version) (*semver.Version, error) {
	sv, err := semver.StrictNewVersion(v.Version)
	if err != nil {
		return nil, fmt.Errorf("%s.version: %q is not a semantic version such as 1.2.0", field, abbreviate(v.Version))
	}
	if err := checkURL(v.URL); err != nil {
		return nil, fmt.Errorf("%s.url: %w", field, err)
	}
	if !isHexSHA256(v.SHA256) {
		return nil, fmt.Errorf("%s.sha256: must be 64 lower-case hex digits, got %q", field, abbreviate(v.SHA256))
	}
	if v.Size <= 0 {
		return nil, fmt.Errorf("%s.size: must be the bundle's size in bytes, got %d", field, v.Size)
	}
	if v.Host == "" {
		return nil, fmt.Errorf("%s.host: is required (the manifest's host constraint)", field)
	}
	if _, err := semver.NewConstraint(v.Host); err != nil {
		return nil, fmt.Errorf("%s.host: %q is not a semver constraint: %w", field, abbreviate(v.Host), err)
	}
	seen := make(map[string]bool, len(v.Permissions))
	for j, p := range v.Permissions {
		if !isPermission(p) {
			return nil, fmt.Errorf("%s.permissions[%d]: %q is not a permission name", field, j, abbreviate(p))
		}
		if seen[p] {
			return nil, fmt.Errorf("%s.permissions[%d]: %q is listed twice", field, j, p)
		}
		seen[p] = true
	}
	if v.Signer == (signing.KeyID{}) {
		return nil, fmt.Errorf("%s.signer: is required (the id of the key that signed the bundle)", field)
	}
	if !v.SignerKey.IsZero() && v.SignerKey.ID() != v.Signer {
		return nil, fmt.Errorf("%s.signer_key: its key id %s is not the signer %s", field, v.SignerKey.ID(), v.Signer)
	}
	if v.Published.IsZero() {
		return nil, fmt.Errorf("%s.published: is required (an RFC 3339 time)", field)
	}
	return sv, nil
}

// checkURL accepts a reference relative to the index, or an absolute http
// or https URL, without credentials or fragment.
func checkURL(s string) error {
	if s == "" {
		return errors.New("is required")
	}
	if len(s) > maxURLLen {
		return fmt.Errorf("is %d bytes, more than %d", len(s), maxURLLen)
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%q is not a URL", abbreviate(s))
	}
	switch {
	case u.User != nil:
		return fmt.Errorf("%q carries credentials; put them nowhere in a public index", abbreviate(s))
	case u.Fragment != "" || strings.Contains(s, "#"):
		return fmt.Errorf("%q has a fragment", abbreviate(s))
	case u.Scheme == "" && u.Host != "":
		return fmt.Errorf("%q has a host but no scheme; give a path relative to the index or a full http(s) URL", abbreviate(s))
	case u.Scheme == "" && u.Opaque == "":
		return nil
	case (u.Scheme == "http" || u.Scheme == "https") && u.Host != "":
		return nil
	}
	return fmt.Errorf("%q must be a path relative to the index or an http(s) URL", abbreviate(s))
}

// checkText checks a display string from a manifest.
func checkText(field, s string, required bool) error {
	if s == "" {
		if required {
			return fmt.Errorf("%s: is required", field)
		}
		return nil
	}
	if utf8.RuneCountInString(s) > maxTextLen {
		return fmt.Errorf("%s: longer than %d characters", field, maxTextLen)
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' {
			return fmt.Errorf("%s: contains control character %U", field, r)
		}
	}
	return nil
}

// isHexSHA256 reports whether s is 64 lower-case hex digits.
func isHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// isPermission reports whether s looks like a catalog permission name
// ("storage", "fs.read", "backend.greet"). Unknown names are allowed so
// that an index can list plugins for newer hosts.
func isPermission(s string) bool {
	if s == "" || len(s) > maxPermLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '.' && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// abbreviate shortens s for an error message.
func abbreviate(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}
