// Package peers holds benchmarks of Warden's peers (hashicorp/go-plugin
// over net/rpc, Wails v2) that report the same metrics as Warden's own
// benchmarks, so the two can be printed side by side. It is a separate
// module so that the peers' dependencies stay out of Warden's go.mod.
// See README.md.
package peers
