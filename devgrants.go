package warden

import (
	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/manifest"
	"github.com/wardenhq/warden/permissions"
)

// devGrants returns what a plugin run under warden dev is granted: the
// one place dev mode's grants are computed. From a source directory a
// plugin gets every permission its manifest declares, like an unpacked
// extension, under the admin policy's ceiling (applied at load), and its
// dev_scopes are scopes like the others (loadSource with dev).
func devGrants(m *manifest.Manifest) permissions.Grants {
	return host.GrantAll(m.WithDevScopes())
}
