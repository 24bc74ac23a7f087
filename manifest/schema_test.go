package manifest

import (
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/wardenhq/warden/internal/strictjson"
	"github.com/wardenhq/warden/permissions"
)

// TestSchemaInSync checks that manifest.schema.json describes exactly the
// Manifest struct: the same properties at every level, objects closed with
// additionalProperties false, and the same patterns and enums as the code.
func TestSchemaInSync(t *testing.T) {
	t.Parallel()
	var root map[string]any
	if err := json.Unmarshal(Schema(), &root); err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	if root["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema = %v", root["$schema"])
	}
	defs, _ := root["$defs"].(map[string]any)
	deref := func(node map[string]any) map[string]any {
		if ref, ok := node["$ref"].(string); ok {
			d, _ := defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
			if d == nil {
				t.Fatalf("dangling $ref %q", ref)
			}
			return d
		}
		return node
	}
	var walk func(t reflect.Type, node map[string]any, path string)
	walk = func(typ reflect.Type, node map[string]any, path string) {
		node = deref(node)
		switch typ.Kind() {
		case reflect.Pointer:
			walk(typ.Elem(), node, path)
		case reflect.Struct:
			if node["type"] != "object" || node["additionalProperties"] != false {
				t.Errorf("%s: want type object with additionalProperties false, got %v / %v", path, node["type"], node["additionalProperties"])
			}
			props, _ := node["properties"].(map[string]any)
			fields := strictjson.Fields(typ)
			var schemaNames []string
			for name := range props {
				schemaNames = append(schemaNames, name)
			}
			sort.Strings(schemaNames)
			if !slices.Equal(schemaNames, fields.Names) {
				t.Errorf("%s: schema properties %v, struct fields %v", path, schemaNames, fields.Names)
			}
			if req, ok := node["required"].([]any); ok {
				for _, r := range req {
					if _, ok := fields.Index[r.(string)]; !ok {
						t.Errorf("%s: required %v is not a field", path, r)
					}
				}
			}
			for name, idx := range fields.Index {
				if p, ok := props[name].(map[string]any); ok {
					walk(typ.Field(idx).Type, p, strictjson.Join(path, name))
				}
			}
		case reflect.Slice:
			if node["type"] != "array" {
				t.Errorf("%s: want type array, got %v", path, node["type"])
			}
			items, _ := node["items"].(map[string]any)
			if items == nil {
				t.Errorf("%s: array without items", path)
				return
			}
			walk(typ.Elem(), items, path+"[]")
		case reflect.Map:
			elem, _ := node["additionalProperties"].(map[string]any)
			if node["type"] != "object" || elem == nil {
				t.Errorf("%s: want type object with a schema for additionalProperties, got %v / %v", path, node["type"], node["additionalProperties"])
				return
			}
			walk(typ.Elem(), elem, path+"{}")
		case reflect.String:
			if node["type"] != "string" && node["enum"] == nil {
				t.Errorf("%s: want type string, got %v", path, node["type"])
			}
		case reflect.Int:
			if node["type"] != "integer" && node["const"] == nil {
				t.Errorf("%s: want type integer, got %v", path, node["type"])
			}
		}
	}
	walk(reflect.TypeOf(Manifest{}), root, "")

	props := root["properties"].(map[string]any)
	if got := props["id"].(map[string]any)["pattern"]; got != idPattern {
		t.Errorf("schema id pattern %v, code %v", got, idPattern)
	}
	items := props["commands"].(map[string]any)["items"].(map[string]any)
	if got := items["pattern"]; got != commandPattern {
		t.Errorf("schema command pattern %v, code %v", got, commandPattern)
	}
	reasons := props["reasons"].(map[string]any)["additionalProperties"].(map[string]any)
	if got := reasons["maxLength"]; got != float64(MaxReasonLen) {
		t.Errorf("schema reason maxLength %v, code %d", got, MaxReasonLen)
	}
	var names []any
	for _, e := range permissions.Catalog() {
		names = append(names, e.Name)
	}
	if got := defs["permission"].(map[string]any)["enum"].([]any); !reflect.DeepEqual(got, names) {
		t.Errorf("schema permission enum %v, catalog %v", got, names)
	}
	s := Schema()
	s[0] = 'x'
	if Schema()[0] == 'x' {
		t.Error("Schema() returned shared storage")
	}
}
