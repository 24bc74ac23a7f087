// Package strictjson decodes untrusted JSON documents strictly into Go
// structs: unknown fields, duplicate keys, wrong types, null, trailing data,
// invalid UTF-8 and a byte order mark are errors, each an [*Error] naming
// the JSON path of the value and its line and column. Decoding stops at the
// first problem. While decoding it records where every value starts, so
// that problems found later, when the values are validated, can be placed
// too (see [Positions]).
//
// Supported field types are string, bool, int, int64, slices of supported
// types, maps from strings to supported types, structs whose fields carry
// json tags, types whose pointer implements encoding.TextUnmarshaler
// (decoded from a JSON string, such as time.Time), and pointers to any of
// these. A field of another type is a programming error and panics.
package strictjson
