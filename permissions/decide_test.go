package permissions

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type fixture struct {
	data, docs, outside string
	env                 Env
}

func newFixture(t testing.TB) fixture {
	t.Helper()
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f := fixture{
		data:    filepath.Join(base, "data"),
		docs:    filepath.Join(base, "docs"),
		outside: filepath.Join(base, "outside"),
	}
	for _, d := range []string{f.data, f.docs, f.outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(f.outside, "secret.md"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(f.outside, "secret.md"), filepath.Join(f.docs, "link.md")); err != nil {
		t.Fatal(err)
	}
	// The documents dir as configured is reached through a symlink, which
	// Compile must resolve once.
	docsLink := filepath.Join(base, "docs-link")
	if err := os.Symlink(f.docs, docsLink); err != nil {
		t.Fatal(err)
	}
	f.env = Env{VarData: f.data, VarDocuments: docsLink}
	return f
}

func mustPath(t testing.TB, s string) PathPattern {
	t.Helper()
	p, err := ParsePathPattern(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustMatch(t testing.TB, s string) MatchPattern {
	t.Helper()
	p, err := ParseMatchPattern(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func testDeclared(t testing.TB) Declared {
	return Declared{
		Permissions: []string{"storage", "fs.read", "fs.write", "http", "notifications", "clipboard.read"},
		Commands:    []string{"render", "search"},
		FSRead:      []PathPattern{mustPath(t, "$DOCUMENTS/**/*.md"), mustPath(t, "$DATA/**"), mustPath(t, "$DOWNLOADS/**")},
		FSWrite:     []PathPattern{mustPath(t, "$DATA/**")},
		HTTP:        []MatchPattern{mustMatch(t, "https://api.example.com/*"), mustMatch(t, "http://127.0.0.1/*")},
	}
}

func testGrants() Grants {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	g := Grants{}
	for _, p := range []string{"storage", "fs.read", "fs.write", "http", "notifications"} {
		g[p] = Grant{Permission: p, GrantedAt: now}
	}
	return g
}

func resolve(t testing.TB, env Env, raw string) string {
	t.Helper()
	p, err := ResolvePath(env, raw)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDecide(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s, err := Compile(testDeclared(t), testGrants(), Ceiling{Blocked: []string{"backend.search"}}, f.env)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		req  Request
		want error // nil for allow
	}{
		{"storage", Request{Permission: "storage"}, nil},
		{"notifications", Request{Permission: "notifications"}, nil},
		{"implicit log", Request{Permission: "log"}, nil},
		{"implicit events", Request{Permission: "events"}, nil},
		{"declared command", Request{Permission: "backend.render"}, nil},
		{"unknown", Request{Permission: "camera"}, ErrUnknownPermission},
		{"unknown empty", Request{Permission: ""}, ErrUnknownPermission},
		{"unknown bad command", Request{Permission: "backend.Bad-Name"}, ErrUnknownPermission},
		{"not declared catalog", Request{Permission: "dialog"}, ErrNotDeclared},
		{"not declared command", Request{Permission: "backend.export"}, ErrNotDeclared},
		{"command above ceiling", Request{Permission: "backend.search"}, ErrAboveCeiling},
		{"not granted", Request{Permission: "clipboard.read"}, ErrNotGranted},
		{"fs.read in docs", Request{Permission: "fs.read", Path: resolve(t, f.env, "$DOCUMENTS/a/b.md")}, nil},
		{"fs.read in data", Request{Permission: "fs.read", Path: resolve(t, f.env, "$DATA/x.bin")}, nil},
		{"fs.read wrong extension", Request{Permission: "fs.read", Path: resolve(t, f.env, "$DOCUMENTS/a/b.txt")}, ErrOutOfScope},
		{"fs.read dotdot", Request{Permission: "fs.read", Path: resolve(t, f.env, "$DATA/../../../../../../etc/passwd")}, ErrOutOfScope},
		{"fs.read symlink escape", Request{Permission: "fs.read", Path: resolve(t, f.env, "$DOCUMENTS/link.md")}, ErrOutOfScope},
		{"fs.read unresolved link path", Request{Permission: "fs.read", Path: filepath.Join(f.docs, "..", "outside", "secret.md")}, ErrOutOfScope},
		{"fs.read relative", Request{Permission: "fs.read", Path: "a.md"}, ErrOutOfScope},
		{"fs.read empty", Request{Permission: "fs.read"}, ErrOutOfScope},
		{"fs.write in data", Request{Permission: "fs.write", Path: resolve(t, f.env, "$DATA/new/file.txt")}, nil},
		{"fs.write in docs", Request{Permission: "fs.write", Path: resolve(t, f.env, "$DOCUMENTS/a.md")}, ErrOutOfScope},
		{"http allowed", Request{Permission: "http", URL: mustURL(t, "https://api.example.com/v1/notes?q=1")}, nil},
		{"http any port", Request{Permission: "http", URL: mustURL(t, "http://127.0.0.1:9999/")}, nil},
		{"http wrong host", Request{Permission: "http", URL: mustURL(t, "https://evil.example.com/")}, ErrOutOfScope},
		{"http wrong scheme", Request{Permission: "http", URL: mustURL(t, "http://api.example.com/")}, ErrOutOfScope},
		{"http nil URL", Request{Permission: "http"}, ErrOutOfScope},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Decide(tt.req)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Decide(%+v) = %v, want allow", tt.req, err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decide(%+v) = %v, want %v", tt.req, err, tt.want)
			}
			var d *Denial
			if !errors.As(err, &d) || d.Permission != tt.req.Permission {
				t.Fatalf("Decide(%+v) = %#v, want a *Denial for the permission", tt.req, err)
			}
			for _, other := range []error{ErrUnknownPermission, ErrNotDeclared, ErrAboveCeiling, ErrNotGranted, ErrOutOfScope, ErrBadPath} {
				if other != tt.want && errors.Is(err, other) {
					t.Errorf("denial %v also matches %v", err, other)
				}
			}
		})
	}
}

func TestDenialError(t *testing.T) {
	t.Parallel()
	d := &Denial{Reason: ReasonOutOfScope, Permission: "fs.read", Detail: "/etc/passwd matches no declared fs.read scope"}
	want := `permission "fs.read" denied: out of scope: /etc/passwd matches no declared fs.read scope`
	if d.Error() != want {
		t.Errorf("Error() = %q, want %q", d.Error(), want)
	}
	f := newFixture(t)
	s, err := Compile(testDeclared(t), testGrants(), Ceiling{}, f.env)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Decide(Request{Permission: "http", URL: mustURL(t, "https://evil.com/x?token=secret")})
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("http denial %v leaks the query or is nil", err)
	}
}

func TestDenyWins(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := testDeclared(t)
	tests := []struct {
		blocked []string
		req     Request
	}{
		{[]string{"http"}, Request{Permission: "http", URL: mustURL(t, "https://api.example.com/")}},
		{[]string{"fs.*"}, Request{Permission: "fs.read", Path: resolve(t, f.env, "$DATA/a")}},
		{[]string{"fs.*"}, Request{Permission: "fs.write", Path: resolve(t, f.env, "$DATA/a")}},
		{[]string{"backend.*"}, Request{Permission: "backend.render"}},
		{[]string{"*"}, Request{Permission: "storage"}},
		{[]string{"*"}, Request{Permission: "log"}},
		{[]string{"storage", "events"}, Request{Permission: "events"}},
	}
	for _, tt := range tests {
		// Everything is granted, including permissions nobody asked for.
		g := testGrants()
		for _, b := range append(tt.blocked, tt.req.Permission) {
			g[b] = Grant{Permission: b, GrantedAt: time.Now()}
		}
		s, err := Compile(d, g, Ceiling{Blocked: tt.blocked}, f.env)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Decide(tt.req); !errors.Is(err, ErrAboveCeiling) {
			t.Errorf("blocked %v: Decide(%s) = %v, want above ceiling", tt.blocked, tt.req.Permission, err)
		}
		free, err := Compile(d, g, Ceiling{}, f.env)
		if err != nil {
			t.Fatal(err)
		}
		if err := free.Decide(tt.req); err != nil {
			t.Errorf("unblocked: Decide(%s) = %v, want allow", tt.req.Permission, err)
		}
	}
	// Check order: not declared comes before the ceiling, the ceiling
	// before the grant, the grant before the scope.
	s, err := Compile(Declared{Permissions: []string{"fs.read"}}, nil, Ceiling{Blocked: []string{"*"}}, f.env)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Decide(Request{Permission: "http"}); !errors.Is(err, ErrNotDeclared) {
		t.Errorf("undeclared under a full block: %v, want not declared", err)
	}
	if err := s.Decide(Request{Permission: "fs.read", Path: "/etc/passwd"}); !errors.Is(err, ErrAboveCeiling) {
		t.Errorf("ungranted, blocked, out of scope: %v, want above ceiling", err)
	}
	s, err = Compile(Declared{Permissions: []string{"fs.read"}}, nil, Ceiling{}, f.env)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Decide(Request{Permission: "fs.read", Path: "/etc/passwd"}); !errors.Is(err, ErrNotGranted) {
		t.Errorf("ungranted and out of scope: %v, want not granted", err)
	}
}

func TestCeilingAllows(t *testing.T) {
	t.Parallel()
	tests := []struct {
		blocked []string
		perm    string
		want    bool
	}{
		{nil, "http", true},
		{[]string{"http"}, "http", false},
		{[]string{"http"}, "http2", true},
		{[]string{"fs.*"}, "fs.read", false},
		{[]string{"fs.*"}, "fs", true},
		{[]string{"backend.*"}, "backend.render", false},
		{[]string{"backend.r*"}, "backend.search", true},
		{[]string{"*"}, "anything", false},
		{[]string{"clipboard.*", "dialog"}, "dialog", false},
	}
	for _, tt := range tests {
		if got := (Ceiling{Blocked: tt.blocked}).Allows(tt.perm); got != tt.want {
			t.Errorf("Ceiling%v.Allows(%q) = %v, want %v", tt.blocked, tt.perm, got, tt.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		name string
		d    Declared
		env  Env
		want error
	}{
		{"unknown permission", Declared{Permissions: []string{"camera"}}, f.env, ErrUnknownPermission},
		{"backend permission", Declared{Permissions: []string{"backend.render"}}, f.env, ErrUnknownPermission},
		{"bad command", Declared{Commands: []string{"Render"}}, f.env, ErrUnknownPermission},
		{"zero path pattern", Declared{FSRead: []PathPattern{{}}}, f.env, ErrBadPath},
		{"zero match pattern", Declared{HTTP: []MatchPattern{{}}}, f.env, errBadMatchPattern},
		{"bad env key", Declared{}, Env{"$TMP": f.data}, ErrBadPath},
		{"relative env", Declared{}, Env{VarData: "data"}, ErrBadPath},
	}
	for _, tt := range tests {
		if _, err := Compile(tt.d, nil, Ceiling{}, tt.env); !errors.Is(err, tt.want) {
			t.Errorf("%s: Compile error %v, want %v", tt.name, err, tt.want)
		}
	}
	// A root that does not exist yet still compiles.
	if _, err := Compile(Declared{}, nil, Ceiling{}, Env{VarData: filepath.Join(f.data, "not", "yet")}); err != nil {
		t.Errorf("missing root: %v", err)
	}
}

func TestDecideDoesNotAllocateOnAllow(t *testing.T) {
	f := newFixture(t)
	s, err := Compile(testDeclared(t), testGrants(), Ceiling{Blocked: []string{"dialog", "clipboard.*"}}, f.env)
	if err != nil {
		t.Fatal(err)
	}
	reqs := []Request{
		{Permission: "storage"},
		{Permission: "backend.render"},
		{Permission: "fs.read", Path: resolve(t, f.env, "$DOCUMENTS/a/b/c.md")},
		{Permission: "fs.write", Path: resolve(t, f.env, "$DATA/x")},
		{Permission: "http", URL: mustURL(t, "https://api.example.com/v1/notes?x=1")},
	}
	for _, r := range reqs {
		if err := s.Decide(r); err != nil {
			t.Fatalf("Decide(%+v) = %v", r, err)
		}
	}
	if n := testing.AllocsPerRun(200, func() {
		for _, r := range reqs {
			_ = s.Decide(r)
		}
	}); n != 0 {
		t.Errorf("Decide allocates %v times on the allow path", n)
	}
}

func BenchmarkDecide(b *testing.B) {
	f := newFixture(b)
	s, err := Compile(testDeclared(b), testGrants(), Ceiling{Blocked: []string{"dialog", "clipboard.*"}}, f.env)
	if err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name string
		req  Request
	}{
		{"storage", Request{Permission: "storage"}},
		{"fs", Request{Permission: "fs.read", Path: resolve(b, f.env, "$DOCUMENTS/projects/warden/notes/today.md")}},
		{"http", Request{Permission: "http", URL: mustURL(b, "https://api.example.com/v1/notes/42?fields=title")}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := s.Decide(c.req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
