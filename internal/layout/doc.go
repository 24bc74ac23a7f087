// Package layout holds no code, only the test that keeps Warden's package
// map honest: which Warden packages each package may import, and which
// packages it must never depend on, directly or through others. The rules
// are the table of docs/architecture.md ("Package map"); the test reads
// the import graph from `go list -deps -json` and checks it against them,
// and checks that the table in the document says the same as the test.
package layout
