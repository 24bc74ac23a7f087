package manifest

import (
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"testing"

	"github.com/wardenhq/warden/permissions"
)

func FuzzParse(f *testing.F) {
	f.Add([]byte(exampleJSON))
	f.Add([]byte(`{"manifest_version":1,"id":"com.example.x","name":"X","version":"1.0.0","host":"*"}`))
	f.Add([]byte(`{"manifest_version":1,"id":"a.b","name":"é","version":"0.0.1-rc.1+b","host":"~1.2","fs":{},"ui":{"entry":"i.html","window":{}}}`))
	f.Add([]byte(`{"manifest_version":1,"id":"a.b","id":"a.c"}`))
	f.Add([]byte(`{"backend":{"wasm":"a.wasm","timeout_ms":1e3}}`))
	f.Add([]byte(`{"content_security_policy":"img-src *"} []`))
	f.Add([]byte("\xef\xbb\xbf{}"))
	f.Add([]byte(`{"manifest_version":1,"id":"a.b","name":"X","version":"1.0.0","host":"*","permissions":["storage"],"http":["https://x.org/*"],` +
		`"reasons":{"storage":"Keeps notes.","https://x.org/*":"Feed <x>"},"icons":{"16":"i/16.png","128":"i/a.png"},` +
		`"dev_scopes":{"http":["http://localhost:1/*"],"fs":{"read":["$HOME/x/**"],"write":["$DATA/**"]}}}`))
	f.Add([]byte(`{"reasons":{"a":"b","a":"c"},"icons":{"0":""},"dev_scopes":{"fs":{}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Parse error %v (%T) is not a *FieldError", err, err)
			}
			return
		}
		out, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("re-Parse of %s: %v", out, err)
		}
		if !reflect.DeepEqual(m, again) {
			t.Fatalf("round trip changed the manifest:\n%+v\n%+v", m, again)
		}
		if _, err := m.Declared(); err != nil {
			t.Fatalf("Declared of a valid manifest: %v", err)
		}
		// What pack writes, and what warden dev runs, are valid too.
		packed, err := m.WithoutDevScopes().Encode()
		if err != nil {
			t.Fatalf("Encode: %v", err)
		}
		if p, err := Parse(packed); err != nil || p.DevScopes != nil {
			t.Fatalf("re-Parse of the packed manifest %s: %v", packed, err)
		}
		if err := m.WithDevScopes().Validate(); err != nil {
			t.Fatalf("WithDevScopes of a valid manifest: %v", err)
		}
	})
}

func TestCommandPatternMatchesValidCommand(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(commandPattern)
	for _, s := range []string{"a", "render", "getX_1", "A", "_a", "1a", "a-b", "a.b", "", "é",
		"a123456789012345678901234567890123456789012345678901234567890123", "a1234567890123456789012345678901234567890123456789012345678901234"} {
		if re.MatchString(s) != permissions.ValidCommand(s) {
			t.Errorf("%q: pattern says %v, ValidCommand says %v", s, re.MatchString(s), permissions.ValidCommand(s))
		}
	}
}
