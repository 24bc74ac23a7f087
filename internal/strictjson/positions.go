package strictjson

import (
	"strconv"
	"strings"
)

// Positions maps the JSON path of every decoded value ("" for the document,
// "ui.window", "commands[1]", `plugins["com.example.notes"]`) to the byte
// offset where the value starts.
type Positions map[string]int

// Find returns the offset of the value at field or, when that value was not
// in the document (a missing required field), of the nearest enclosing value
// that was, so that a problem always points somewhere useful. ok is false
// only when nothing on the path was recorded.
func (p Positions) Find(field string) (off int, ok bool) {
	for f := field; ; f = parentPath(f) {
		if off, ok := p[f]; ok {
			return off, true
		}
		if f == "" {
			return 0, false
		}
	}
}

// Join returns the JSON path of member key inside the object at parent.
func Join(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// JoinKey returns the JSON path of the entry key of the map at parent:
// parent["key"], the key quoted as by strconv.Quote.
func JoinKey(parent, key string) string {
	return parent + "[" + strconv.Quote(key) + "]"
}

// parentPath returns the path of the value containing field.
func parentPath(field string) string {
	if strings.HasSuffix(field, `"]`) {
		// A map member: the quoted key may hold '.' and '[', but not `["`,
		// which strconv.Quote writes as `[\"`.
		if i := strings.LastIndex(field, `["`); i >= 0 {
			return field[:i]
		}
	}
	if i := strings.LastIndexAny(field, ".["); i >= 0 {
		return field[:i]
	}
	return ""
}
