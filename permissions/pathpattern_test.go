package permissions

import (
	"errors"
	"testing"
)

func TestParsePathPatternErrors(t *testing.T) {
	t.Parallel()
	bad := []string{
		"",
		"/etc/passwd",
		"notes/*.md",
		"~/notes",
		"$TMP/x",
		"$DATAX/x",
		"$data/x",
		"$DATA/",
		"$DATA//x",
		"$DATA/./x",
		"$DATA/../x",
		"$DATA/a/..",
		"$DATA\\x",
		"$DATA/a\\b",
		"$DATA/a\x00b",
		"$DATA/a\nb",
		"$DATA/a**",
		"$DATA/***",
		"$DATA/**b/c",
		"$DATA/\xff",
	}
	for _, s := range bad {
		if p, err := ParsePathPattern(s); err == nil {
			t.Errorf("ParsePathPattern(%q) = %v, want error", s, p)
		} else if !errors.Is(err, ErrBadPath) {
			t.Errorf("ParsePathPattern(%q) error %v does not wrap ErrBadPath", s, err)
		}
	}
	good := []string{"$DATA", "$HOME/**", "$DOCUMENTS/**/*.md", "$DOWNLOADS/*.pdf", "$DATA/a?c/x", "$HOME/.config/app/**", "$DATA/**/**/x", "$DATA/$weird name/ü"}
	for _, s := range good {
		p, err := ParsePathPattern(s)
		if err != nil {
			t.Errorf("ParsePathPattern(%q): %v", s, err)
			continue
		}
		if p.String() != s {
			t.Errorf("String() = %q, want %q", p.String(), s)
		}
	}
}

func TestPathPatternMatch(t *testing.T) {
	t.Parallel()
	const root = "/home/u/Documents"
	tests := []struct {
		pat, path string
		want      bool
	}{
		{"$DOCUMENTS", root, true},
		{"$DOCUMENTS", root + "/a", false},
		{"$DOCUMENTS/**", root, true},
		{"$DOCUMENTS/**", root + "/a", true},
		{"$DOCUMENTS/**", root + "/a/b/c.txt", true},
		{"$DOCUMENTS/**", "/home/u/Documents2/a", false},
		{"$DOCUMENTS/**", "/home/u", false},
		{"$DOCUMENTS/**", "/etc/passwd", false},
		{"$DOCUMENTS/**/*.md", root + "/a.md", true},
		{"$DOCUMENTS/**/*.md", root + "/x/y/a.md", true},
		{"$DOCUMENTS/**/*.md", root + "/x/y/a.txt", false},
		{"$DOCUMENTS/**/*.md", root + "/x/y", false},
		{"$DOCUMENTS/*.md", root + "/a.md", true},
		{"$DOCUMENTS/*.md", root + "/x/a.md", false},
		{"$DOCUMENTS/*", root + "/x", true},
		{"$DOCUMENTS/*", root, false},
		{"$DOCUMENTS/a?c", root + "/abc", true},
		{"$DOCUMENTS/a?c", root + "/aéc", true},
		{"$DOCUMENTS/a?c", root + "/ac", false},
		{"$DOCUMENTS/a?c", root + "/abbc", false},
		{"$DOCUMENTS/**/notes/**", root + "/notes", true},
		{"$DOCUMENTS/**/notes/**", root + "/x/notes/y/z", true},
		{"$DOCUMENTS/**/notes/**", root + "/x/notesy/z", false},
		{"$DOCUMENTS/a/**/b/**/c", root + "/a/b/c", true},
		{"$DOCUMENTS/a/**/b/**/c", root + "/a/x/b/y/b/z/c", true},
		{"$DOCUMENTS/a/**/b/**/c", root + "/a/x/b/y/c/d", false},
		{"$DOCUMENTS/*a*b*", root + "/xaxbx", true},
		{"$DOCUMENTS/*a*b*", root + "/xbxa", false},
		// Hidden names need a literal dot.
		{"$DOCUMENTS/**", root + "/.git/config", false},
		{"$DOCUMENTS/**", root + "/a/.ssh", false},
		{"$DOCUMENTS/*", root + "/.env", false},
		{"$DOCUMENTS/?env", root + "/.env", false},
		{"$DOCUMENTS/.*", root + "/.env", true},
		{"$DOCUMENTS/.git/**", root + "/.git/config", true},
		{"$DOCUMENTS/**/.git/*", root + "/a/.git/config", true},
		// ".." never matches a wildcard, even when a caller forgets to clean.
		{"$DOCUMENTS/**", root + "/../../etc/passwd", false},
		{"$DOCUMENTS/**", root + "/a//b", false},
	}
	for _, tt := range tests {
		p, err := ParsePathPattern(tt.pat)
		if err != nil {
			t.Fatalf("ParsePathPattern(%q): %v", tt.pat, err)
		}
		if got := p.Match(root, tt.path); got != tt.want {
			t.Errorf("%q.Match(%q) = %v, want %v", tt.pat, tt.path, got, tt.want)
		}
	}
	var zero PathPattern
	if zero.Match(root, root) {
		t.Error("zero PathPattern matched")
	}
	p, _ := ParsePathPattern("$DATA/**")
	if !p.Match("/", "/etc/passwd") || p.Match("", "/etc") {
		t.Error("root handling of \"/\" or \"\" is wrong")
	}
}

func TestPathPatternRejectsUncleanPaths(t *testing.T) {
	t.Parallel()
	const root = "/r"
	pats := []string{"$DATA/**", "$DATA/.*", "$DATA/**/.*", "$DATA/.*/**", "$DATA/*/**/*", "$DATA/**/x"}
	paths := []string{"/r/..", "/r/.", "/r/a/..", "/r/../x", "/r/./x", "/r/a/", "/r//x", "/r/.a/../x", "/r/a/./x", "r/a", "", "/r/a//x"}
	for _, ps := range pats {
		p := mustPath(t, ps)
		for _, path := range paths {
			if p.Match(root, path) {
				t.Errorf("%q matched unclean path %q", ps, path)
			}
		}
	}
}
