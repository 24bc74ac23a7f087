package manifest

import (
	_ "embed" // for the schema file
	"slices"
)

//go:embed manifest.schema.json
var schema []byte

// Schema returns the JSON Schema (draft 2020-12) for manifest.json, for
// editors and tools. The slice is a fresh copy.
func Schema() []byte { return slices.Clone(schema) }
