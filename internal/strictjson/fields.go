package strictjson

import (
	"reflect"
	"sort"
	"strings"
	"sync"
)

// FieldSet describes the JSON members a struct type accepts: the fields
// with a json tag naming them.
type FieldSet struct {
	// Index maps a JSON name to the struct field's index.
	Index map[string]int
	// Names lists the JSON names, sorted, for messages.
	Names []string

	omitEmpty map[string]bool
}

var fieldSets sync.Map // reflect.Type -> *FieldSet

// Fields returns the JSON members of struct type t. The result is computed
// once per type and cached; callers must not modify it.
func Fields(t reflect.Type) *FieldSet {
	if fs, ok := fieldSets.Load(t); ok {
		return fs.(*FieldSet)
	}
	fs := &FieldSet{Index: make(map[string]int), omitEmpty: make(map[string]bool)}
	for i := 0; i < t.NumField(); i++ {
		name, opts, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		fs.Index[name] = i
		fs.Names = append(fs.Names, name)
		fs.omitEmpty[name] = opts == "omitempty"
	}
	sort.Strings(fs.Names)
	fieldSets.Store(t, fs)
	return fs
}
