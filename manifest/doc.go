// Package manifest defines a Warden plugin's manifest.json: its types,
// strict parsing with line and column in every error, value validation, the
// checks against the bundle's files and the running host version, the
// content security policy every plugin page gets, and the JSON Schema that
// editors use to validate manifests.
package manifest
