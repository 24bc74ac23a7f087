// Package assemblyscript holds Warden's backend API for AssemblyScript,
// warden.ts: input, output, fail and call (warden_call) over
// @extism/as-pdk. `warden new --backend assemblyscript` copies it into the
// new backend.
package assemblyscript

import _ "embed"

// Source is warden.ts.
//
//go:embed warden.ts
var Source []byte
