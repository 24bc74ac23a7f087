//go:build !wasip1

package guest

import "embed"

// Source holds the SDK's own Go files (tests included) and its go.mod, so
// that a tool such as `warden new` can give a new backend module a vendored
// copy of the SDK that builds with no network and no published release. It
// is compiled only into native programs, never into a plugin's .wasm.
//
//go:embed *.go go.mod
var Source embed.FS
