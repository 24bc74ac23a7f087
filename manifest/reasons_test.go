package manifest

import (
	"strings"
	"testing"
)

func TestReasons(t *testing.T) {
	t.Parallel()
	valid := map[string]any{
		"storage":                   "Keeps your notes between runs.",
		"fs.read":                   "Reads the Markdown files you keep in Documents.",
		"clipboard.write":           "Copies a note when you press Copy.",
		"https://api.example.com/*": "Fetches your feed.",
		"$DOCUMENTS/**/*.md":        "Opens your notes \"as they are\" — ünïcode too.",
	}
	m, err := Parse(mutate(t, func(d map[string]any) { d["reasons"] = valid }))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	for k, v := range valid {
		if got, ok := m.Reason(k); !ok || got != v {
			t.Errorf("Reason(%q) = %q, %v; want %q", k, got, ok, v)
		}
	}
	if _, ok := m.Reason("http"); ok {
		t.Error("Reason(http) found a reason the manifest does not give")
	}

	tests := []struct {
		name, key string
		value     any
		msg       string
	}{
		{"unknown permission", "camera", "x", `"camera" is neither a declared permission nor a declared scope`},
		{"undeclared catalog permission", "dialog", "x", `"dialog" is neither a declared permission`},
		{"undeclared pattern", "https://other.example.com/*", "x", "neither a declared permission"},
		{"backend command", "backend.render", "x", "neither a declared permission"},
		{"implicit", "log", "x", "needs no consent"},
		{"dev scope", "http://localhost:8080/*", "x", "is a dev scope"},
		{"empty", "storage", "", "is required"},
		{"too long", "storage", strings.Repeat("r", MaxReasonLen+1), "1 to 200 characters"},
		{"newline", "storage", "Keeps\nnotes", "control"},
		{"escape", "storage", "Keeps \x1b[2Jnotes", "control"},
		{"bidi", "storage", "Keeps \u202enotes", "control"},
		{"padded", "storage", " Keeps notes", "white space"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := mutate(t, func(d map[string]any) {
				d["reasons"] = map[string]any{tt.key: tt.value}
				d["dev_scopes"] = map[string]any{"http": []string{"http://localhost:8080/*"}}
			})
			_, err := Parse(data)
			field := `reasons["` + tt.key + `"]`
			fe := findField(err, field)
			if fe == nil {
				t.Fatalf("no error for %s in %v", field, err)
			}
			if !strings.Contains(fe.Msg, tt.msg) {
				t.Errorf("%s: %q does not contain %q", field, fe.Msg, tt.msg)
			}
			if fe.Line == 0 {
				t.Errorf("%s: no position", fe)
			}
		})
	}
}
