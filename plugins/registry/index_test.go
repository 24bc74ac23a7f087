package registry

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// sha is a well-formed digest for hand-written indexes.
const sha = "2fd64f1d3c43580f4dbfc4b8b116b9e63e04c80a668b77b75db4ae2be8bf4020"

// validIndex is a hand-written index with two plugins; versions are out of
// order on purpose.
const validIndex = `{
  "index_version": 1,
  "updated": "2025-01-31T12:00:00Z",
  "plugins": {
    "com.example.notes": {
      "name": "Notes",
      "publisher": "Example Co",
      "versions": [
        {"version": "1.10.0", "url": "bundles/notes-1.10.0.wbundle", "sha256": "` + sha + `", "size": 10,
         "host": ">=0.1.0 <1.0.0", "permissions": ["storage", "http"], "signer": "5462FA413AFF2E74",
         "published": "2025-01-31T12:00:00Z"},
        {"version": "1.9.0", "url": "https://cdn.example.com/notes-1.9.0.wbundle", "sha256": "` + sha + `", "size": 9,
         "host": ">=0.1.0", "signer": "5462FA413AFF2E74", "published": "2025-01-30T12:00:00Z"}
      ]
    },
    "dev.warden.hello": {
      "name": "Hello",
      "versions": [
        {"version": "1.0.0", "url": "/abs/hello.wbundle", "sha256": "` + sha + `", "size": 1,
         "host": "*", "signer": "5462FA413AFF2E74", "published": "2025-01-30T12:00:00Z"}
      ]
    }
  }
}`

func TestParseIndexValid(t *testing.T) {
	t.Parallel()
	ix, err := ParseIndex([]byte(validIndex))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ix.IDs(), ","); got != "com.example.notes,dev.warden.hello" {
		t.Fatalf("IDs = %s", got)
	}
	vs := ix.Versions("com.example.notes")
	if len(vs) != 2 || vs[0].Version != "1.9.0" || vs[1].Version != "1.10.0" {
		t.Fatalf("versions not in ascending semver order: %+v", vs)
	}
	if vs[1].ID != "com.example.notes" || vs[1].String() != "com.example.notes@1.10.0" {
		t.Fatalf("ID not filled: %+v", vs[1])
	}
	if vs[1].Signer.String() != "5462FA413AFF2E74" || strings.Join(vs[1].Permissions, " ") != "storage http" {
		t.Fatalf("fields: %+v", vs[1])
	}
	if ix.Versions("com.example.none") != nil {
		t.Fatal("Versions of an unknown id should be nil")
	}
	// Versions returns a copy.
	vs[0].Version = "9.9.9"
	if ix.Versions("com.example.notes")[0].Version != "1.9.0" {
		t.Fatal("Versions shares the index's slice")
	}

	data, err := ix.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	again, err := ParseIndex(data)
	if err != nil {
		t.Fatalf("marshalled index does not parse: %v\n%s", err, data)
	}
	data2, _ := again.Marshal()
	if !bytes.Equal(data, data2) {
		t.Fatalf("round trip changed the index:\n%s\n%s", data, data2)
	}
	if !bytes.Contains(data, []byte(`"version": "1.9.0"`)) || bytes.Index(data, []byte(`"1.9.0"`)) > bytes.Index(data, []byte(`"1.10.0"`)) {
		t.Fatalf("marshalled versions not sorted:\n%s", data)
	}
}

func TestParseIndexEmpty(t *testing.T) {
	t.Parallel()
	ix, err := ParseIndex([]byte(`{"index_version":1,"updated":"2025-01-31T12:00:00Z","plugins":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(ix.IDs()) != 0 {
		t.Fatal("empty index lists plugins")
	}
	data, err := NewIndex().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseIndex(data); err != nil {
		t.Fatalf("NewIndex does not round-trip: %v\n%s", err, data)
	}
}

func TestParseIndexRejects(t *testing.T) {
	t.Parallel()
	// edit applies one textual change to validIndex, which must occur.
	edit := func(old, new string) string {
		if !strings.Contains(validIndex, old) {
			t.Fatalf("test edit %q does not apply", old)
		}
		return strings.Replace(validIndex, old, new, 1)
	}
	tests := []struct {
		name, data, want string
	}{
		{"cut short", `{"index_version":`, "1:18: index_version: invalid JSON: unexpected end of input"},
		{"not JSON", `{"index_version": 1,,}`, "invalid JSON"},
		{"empty", ``, "unexpected end of input"},
		{"array", `[]`, "1:1: index.json must be a JSON object, got an array"},
		{"trailing data", validIndex + `{}`, "unexpected data after the index object"},
		{"invalid UTF-8", edit(`"Notes"`, "\"No\xfftes\""), "UTF-8"},
		{"unknown field", edit(`"name": "Notes"`, `"name": "Notes", "homepage": "x"`), `plugins["com.example.notes"].homepage: unknown field "homepage"; allowed here: description, name, publisher, versions`},
		{"unknown top-level field", edit(`"index_version": 1`, `"index_version": 1, "extra": true`), "unknown field"},
		{"duplicate key", edit(`"name": "Notes"`, `"name": "Notes", "name": "Other"`), `plugins["com.example.notes"].name: duplicate key "name"`},
		{"duplicate plugin", edit(`"dev.warden.hello": {`, `"com.example.notes": {}, "dev.warden.hello": {`), `duplicate key "com.example.notes"`},
		{"upper-case key", edit(`"name": "Notes"`, `"Name": "Notes"`), `unknown field "Name"`},
		{"unicode-folded key", edit(`"size": 10`, `"ſize": 10`), `unknown field "ſize"`},
		{"null", edit(`"publisher": "Example Co"`, `"publisher": null`), "publisher: must be a string, got null"},
		{"deep nesting", `{"plugins":{"a.b":{"versions":[[[[[[[[[]]]]]]]]]}}}`, `plugins["a.b"].versions[0]: must be an object, got an array`},
		{"unknown nesting", `{"a":[[[[[[[[[]]]]]]]]]}`, `a: unknown field "a"`},
		{"newer format", edit(`"index_version": 1`, `"index_version": 2`), "update Warden"},
		{"zero format", edit(`"index_version": 1`, `"index_version": 0`), "index_version must be 1"},
		{"no updated", edit(`"updated": "2025-01-31T12:00:00Z",`, ``), "updated is required"},
		{"bad time", edit(`"updated": "2025-01-31T12:00:00Z"`, `"updated": "yesterday"`), "cannot parse"},
		{"no plugins", `{"index_version":1,"updated":"2025-01-31T12:00:00Z"}`, "plugins is required"},
		{"bad id", edit(`"dev.warden.hello": {`, `"hello": {`), "not a plugin id"},
		{"no name", edit(`"name": "Hello",`, ``), "name: is required"},
		{"control in name", edit(`"name": "Hello"`, `"name": "Hel\u0007lo"`), "control character"},
		{"no versions", `{"index_version":1,"updated":"2025-01-31T12:00:00Z","plugins":{"a.b":{"name":"A","versions":[]}}}`, "at least one version"},
		{"bad version", edit(`"version": "1.0.0"`, `"version": "1.0"`), "not a semantic version"},
		{"duplicate version", edit(`"version": "1.9.0"`, `"version": "1.10.0+build.1"`), "listed twice"},
		{"bad sha256", edit(`"sha256": "`+sha+`", "size": 1,`, `"sha256": "abc", "size": 1,`), "64 lower-case hex"},
		{"upper-case sha256", strings.Replace(validIndex, sha, strings.ToUpper(sha), 1), "64 lower-case hex"},
		{"zero size", edit(`"size": 1,`, `"size": 0,`), "size"},
		{"fractional size", edit(`"size": 1,`, `"size": 1.5,`), "size: must be a whole number (no fraction or exponent) of at most 18 digits, got 1.5"},
		{"no host", edit(`"host": "*", `, ``), "host: is required"},
		{"bad host", edit(`"host": "*"`, `"host": "banana"`), "not a semver constraint"},
		{"bad permission", edit(`["storage", "http"]`, `["storage", "Http"]`), "not a permission name"},
		{"duplicate permission", edit(`["storage", "http"]`, `["storage", "storage"]`), "listed twice"},
		{"no signer", edit(`"signer": "5462FA413AFF2E74", "published": "2025-01-30T12:00:00Z"}
      ]
    },
    "dev`, `"published": "2025-01-30T12:00:00Z"}
      ]
    },
    "dev`), "signer: is required"},
		{"bad signer", edit(`"signer": "5462FA413AFF2E74"`, `"signer": "xyz"`), "16 hex digits"},
		{"no url", edit(`"url": "/abs/hello.wbundle", `, ``), "url: is required"},
		{"javascript url", edit(`"/abs/hello.wbundle"`, `"javascript:alert(1)"`), "relative to the index or an http(s) URL"},
		{"file url", edit(`"/abs/hello.wbundle"`, `"file:///etc/passwd"`), "relative to the index or an http(s) URL"},
		{"scheme-relative url", edit(`"/abs/hello.wbundle"`, `"//evil.example/x"`), "no scheme"},
		{"credentials in url", edit(`"/abs/hello.wbundle"`, `"https://u:p@cdn.example.com/x"`), "credentials"},
		{"fragment in url", edit(`"/abs/hello.wbundle"`, `"x.wbundle#y"`), "fragment"},
		{"no published", edit(`, "published": "2025-01-30T12:00:00Z"}
      ]
    },
    "dev`, `}
      ]
    },
    "dev`), "published: is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix, err := ParseIndex([]byte(tt.data))
			if err == nil {
				t.Fatalf("accepted: %+v", ix)
			}
			if !errors.Is(err, ErrMalformedIndex) {
				t.Fatalf("error does not wrap ErrMalformedIndex: %v", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}
