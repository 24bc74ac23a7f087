package manifest

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestDevScopes(t *testing.T) {
	t.Parallel()
	data := mutate(t, func(d map[string]any) {
		d["dev_scopes"] = map[string]any{
			"http": []string{"http://localhost:8080/*"},
			"fs":   map[string]any{"read": []string{"$HOME/src/fixtures/**"}, "write": []string{"$DATA/dev/**"}},
		}
		d["reasons"] = map[string]any{"https://api.example.com/*": "Fetches your <feed>."}
	})
	m, err := Parse(data)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	before, _ := m.Encode()

	dev := m.WithDevScopes()
	if err := dev.Validate(); err != nil {
		t.Errorf("WithDevScopes is invalid: %v", err)
	}
	if dev.DevScopes != nil {
		t.Error("WithDevScopes kept DevScopes")
	}
	if want := []string{"https://api.example.com/*", "http://localhost:8080/*"}; !slices.Equal(dev.HTTP, want) {
		t.Errorf("dev http = %v, want %v", dev.HTTP, want)
	}
	if !slices.Equal(dev.FS.Read, []string{"$DOCUMENTS/**/*.md", "$HOME/src/fixtures/**"}) || !slices.Equal(dev.FS.Write, []string{"$DATA/dev/**"}) {
		t.Errorf("dev fs = %+v", dev.FS)
	}
	if !slices.Contains(dev.ConsentPermissions(), "fs.write") {
		t.Errorf("dev fs.write scope does not imply fs.write: %v", dev.ConsentPermissions())
	}
	// The original is untouched, and so is what it encodes to.
	dev.HTTP[0], dev.Reasons["x"] = "changed", "changed"
	if after, _ := m.Encode(); !bytes.Equal(before, after) || m.DevScopes == nil {
		t.Errorf("WithDevScopes changed the manifest:\n%s\n%s", before, after)
	}

	packed := m.WithoutDevScopes()
	out, err := packed.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte("dev_scopes")) || !bytes.Contains(out, []byte("<feed>")) {
		t.Errorf("Encode(WithoutDevScopes) =\n%s", out)
	}
	again, err := Parse(out)
	if err != nil {
		t.Fatalf("Parse(Encode) = %v", err)
	}
	if !reflect.DeepEqual(again, packed) {
		t.Errorf("round trip changed it:\n%+v\n%+v", again, packed)
	}
	if out2, _ := again.Encode(); !bytes.Equal(out, out2) {
		t.Error("Encode is not deterministic")
	}

	if plain := (&Manifest{ID: "a.b"}).WithDevScopes(); plain.DevScopes != nil || plain.HTTP != nil || plain.FS != nil {
		t.Errorf("WithDevScopes without dev scopes = %+v", plain)
	}
}

func TestDevScopesValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		dev   map[string]any
		field string
		msg   string
	}{
		{"bad url", map[string]any{"http": []string{"ftp://x/*"}}, "dev_scopes.http[0]", "match pattern"},
		{"bad path", map[string]any{"fs": map[string]any{"read": []string{"/etc/**"}}}, "dev_scopes.fs.read[0]", "$DATA"},
		{"duplicate", map[string]any{"http": []string{"http://localhost/*", "http://localhost/*"}}, "dev_scopes.http[1]", "duplicate"},
		{"already granted", map[string]any{"http": []string{"https://api.example.com/*"}}, "dev_scopes.http[0]", `already in "http"`},
		{"already granted fs", map[string]any{"fs": map[string]any{"read": []string{"$DOCUMENTS/**/*.md"}}}, "dev_scopes.fs.read[0]", `already in "fs.read"`},
		{"unknown field", map[string]any{"hosts": []string{}}, "dev_scopes.hosts", "unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(mutate(t, func(d map[string]any) { d["dev_scopes"] = tt.dev }))
			fe := findField(err, tt.field)
			if fe == nil || !strings.Contains(fe.Msg, tt.msg) {
				t.Fatalf("want %s: ...%s... in %v", tt.field, tt.msg, err)
			}
		})
	}
}
