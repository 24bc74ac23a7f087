package permissions

import (
	"errors"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
)

var refRegexps sync.Map // pattern segment -> *regexp.Regexp

// refMatch is a slow, obviously correct matcher used to check the fast one.
func refMatch(pat, parts []string) bool {
	if len(pat) == 0 {
		return len(parts) == 0
	}
	if pat[0] == "**" {
		if refMatch(pat[1:], parts) {
			return true
		}
		return len(parts) > 0 && parts[0] != "" && parts[0][0] != '.' && refMatch(pat, parts[1:])
	}
	return len(parts) > 0 && refSegment(pat[0], parts[0]) && refMatch(pat[1:], parts[1:])
}

func refSegment(pat, seg string) bool {
	if seg == "" || seg == "." || seg == ".." || (seg[0] == '.' && pat[0] != '.') {
		return false
	}
	if re, ok := refRegexps.Load(pat); ok {
		return re.(*regexp.Regexp).MatchString(seg)
	}
	var re strings.Builder
	re.WriteString(`^(?s:`)
	for _, r := range pat {
		switch r {
		case '*':
			re.WriteString(`.*`)
		case '?':
			re.WriteString(`.`)
		default:
			re.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	re.WriteString(`)$`)
	rx := regexp.MustCompile(re.String())
	refRegexps.Store(pat, rx)
	return rx.MatchString(seg)
}

func FuzzParsePathPattern(f *testing.F) {
	seeds := [][2]string{
		{"$DOCUMENTS/**/*.md", "a/b/c.md"},
		{"$DATA/**", ""},
		{"$DATA", ""},
		{"$HOME/.config/**", ".config/x"},
		{"$DATA/a?c/*x*y*", "abc/xxyy"},
		{"$DATA/**/notes/**/*.txt", "a/notes/b/notes/c.txt"},
		{"$DATA/.*", ".."},
		{"$DATA/**", "a/../b"},
		{"$DOWNLOADS/*", "é"},
		{"/etc/passwd", "x"},
		{"$DATA/../x", "x"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, s, rel string) {
		p, err := ParsePathPattern(s)
		if err != nil {
			return
		}
		if p.String() != s {
			t.Fatalf("String() = %q, want %q", p.String(), s)
		}
		q, err := ParsePathPattern(p.String())
		if err != nil || !reflect.DeepEqual(p, q) {
			t.Fatalf("round trip of %q: %v, %+v != %+v", s, err, q, p)
		}
		const root = "/r"
		path := root
		if rel != "" {
			path = root + "/" + rel
		}
		got := p.Match(root, path)
		if got && filepath.Clean(path) != path {
			t.Fatalf("%q matched unclean path %q", s, path)
		}
		if len(rel) > 64 || strings.Count(s, "**") > 4 {
			return // keep the exponential reference cheap
		}
		var pat, parts []string
		if _, rest, ok := strings.Cut(s, "/"); ok {
			pat = strings.Split(rest, "/")
		}
		if rel != "" {
			parts = strings.Split(rel, "/")
		}
		if want := refMatch(pat, parts); got != want {
			t.Fatalf("%q.Match(%q) = %v, reference says %v", s, path, got, want)
		}
	})
}

func FuzzParseMatchPattern(f *testing.F) {
	seeds := [][2]string{
		{"<all_urls>", "https://example.com/"},
		{"*://*/*", "http://a.b/c?d"},
		{"https://*.example.com/*", "https://api.example.com/x"},
		{"http://127.0.0.1/*", "http://127.0.0.1:8080/"},
		{"http://127.0.0.1:8080/*", "http://127.0.0.1:8080/"},
		{"http://[::1]:9/a*b", "http://[::1]:9/a/b"},
		{"https://*/foo*bar", "https://x/foo?bar"},
		{"https://*./", "https://x/"},
		{"file:///x", "file:///x"},
		{"http://*foo.com/*", "http://xfoo.com/"},
		{"*://*/*", "http://2130706433/"},
		{"*://*/*", "http://[::ffff:127.0.0.1]/"},
		{"*://*/*", "http://LOCALHOST./"},
		{"<all_urls>", "http://[fe80::1%25eth0]/"},
		{"http://127.0.0.1/api/*", "http://127.0.0.1/api/%2e%2e/admin"},
		{"http://127.0.0.1/api/*", "http://127.0.0.1/api/..%2fadmin"},
		{"http://127.0.0.1/api/*", "http://127.0.0.1/api/..;/admin"},
		{"https://*.example.com/*", "https://a.example.com.localhost/"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, s, raw string) {
		p, err := ParseMatchPattern(s)
		if err != nil {
			return
		}
		if p.String() != s {
			t.Fatalf("String() = %q, want %q", p.String(), s)
		}
		q, err := ParseMatchPattern(p.String())
		if err != nil || !reflect.DeepEqual(p, q) {
			t.Fatalf("round trip of %q: %v, %+v != %+v", s, err, q, p)
		}
		u, err := url.Parse(raw)
		if err != nil {
			return
		}
		if p.Match(u) {
			if u.Scheme != "http" && u.Scheme != "https" {
				t.Fatalf("%q matched scheme %q", s, u.Scheme)
			}
			if u.Hostname() == "" {
				t.Fatalf("%q matched %q with no host", s, raw)
			}
			if err := CheckURLHost(u); err != nil {
				t.Fatalf("%q matched %q with a host CheckURLHost refuses: %v", s, raw, err)
			}
			if esc := u.EscapedPath(); pathProblem(esc) != "" {
				t.Fatalf("%q matched %q with a non-canonical path", s, raw)
			}
			ip, _ := urlHost(u)
			if (p.all || p.anyHost || p.subdomains) && isNonPublicHost(u.Hostname(), ip) {
				t.Fatalf("wildcard %q matched the local host of %q", s, raw)
			}
		}
	})
}

func FuzzCanonicalURLPath(f *testing.F) {
	for _, s := range []string{
		"/", "", "/api/../admin", "/api/%2e%2e/admin", "/api/..%2fadmin", "/a/b/c/./../../g",
		"/api/..;/x", "/api/%252e", "/a\\b", "/a%3B/..", "/.%2E/.%2e", "//..//", "/%zz", "/a/b/..",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := CanonicalURLPath(in)
		if err != nil {
			if !errors.Is(err, ErrBadURL) {
				t.Fatalf("CanonicalURLPath(%q) error %v does not wrap ErrBadURL", in, err)
			}
			return
		}
		if p := pathProblem(out); p != "" {
			t.Fatalf("CanonicalURLPath(%q) = %q, which is not canonical: %s", in, out, p)
		}
		if again, err := CanonicalURLPath(out); err != nil || again != out {
			t.Fatalf("CanonicalURLPath(%q) = %q, then %q, %v: not a fixed point", in, out, again, err)
		}
		if out != "" && path.Clean(out) != strings.TrimSuffix(out, "/") && out != "/" && !strings.Contains(out, "//") {
			t.Fatalf("CanonicalURLPath(%q) = %q, but path.Clean gives %q", in, out, path.Clean(out))
		}
		for _, seg := range strings.Split(out, "/") {
			if seg == "." || seg == ".." {
				t.Fatalf("CanonicalURLPath(%q) = %q keeps a dot segment", in, out)
			}
		}
	})
}

func FuzzResolvePath(f *testing.F) {
	for _, s := range []string{"$DATA/a/b", "$DATA/../../etc/passwd", "/tmp/x/../y", "$DATA", "$HOME/x", "rel", "$DATA/link/x", "$DATA/loop", "\x00"} {
		f.Add(s)
	}
	base, err := filepath.EvalSymlinks(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	data := filepath.Join(base, "data")
	if err := os.MkdirAll(filepath.Join(data, "sub"), 0o755); err != nil {
		f.Fatal(err)
	}
	for link, target := range map[string]string{"link": base, "rel": "sub", "dangling": "/nonexistent/x", "loop": "loop"} {
		if err := os.Symlink(target, filepath.Join(data, link)); err != nil {
			f.Fatal(err)
		}
	}
	env := Env{VarData: data}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := ResolvePath(env, raw)
		if err != nil {
			if !errors.Is(err, ErrBadPath) {
				t.Fatalf("ResolvePath(%q) error %v does not wrap ErrBadPath", raw, err)
			}
			return
		}
		if !filepath.IsAbs(got) || filepath.Clean(got) != got {
			t.Fatalf("ResolvePath(%q) = %q, not absolute and clean", raw, got)
		}
	})
}
