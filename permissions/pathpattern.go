package permissions

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Scope variables usable in filesystem patterns and paths.
const (
	VarData      = "$DATA"      // the plugin's own data directory
	VarHome      = "$HOME"      // the user's home directory
	VarDocuments = "$DOCUMENTS" // the user's documents directory
	VarDownloads = "$DOWNLOADS" // the user's downloads directory
)

// maxPatternLen bounds pattern length so matching cost stays small.
const maxPatternLen = 4096

// Env maps scope variables ("$DATA", "$HOME", "$DOCUMENTS", "$DOWNLOADS")
// to absolute directories on this machine. Only those four keys are valid.
type Env map[string]string

// validVar reports whether v is one of the four scope variables.
func validVar(v string) bool {
	switch v {
	case VarData, VarHome, VarDocuments, VarDownloads:
		return true
	}
	return false
}

// PathPattern is a parsed filesystem scope glob such as "$DOCUMENTS/**/*.md"
// or "$DATA/**". The zero value matches nothing.
//
// A pattern starts with a scope variable, alone or followed by "/" and
// segments. In a segment "*" matches any run of characters and "?" one
// character; a segment that is exactly "**" matches zero or more whole
// segments. Wildcards never match a name starting with "." (as in Tauri's
// default and shell globs), so "$HOME/**" does not reach "~/.ssh"; such
// names must be spelled with a literal leading dot (".config/**").
// Matching is case-sensitive.
type PathPattern struct {
	raw  string
	vr   string
	segs []segment
	// lastDeep is the index of the last "**" segment, or -1.
	lastDeep int
}

// segment is one compiled pattern segment.
type segment struct {
	kind segKind
	pat  string // the whole segment for segGlob, else the literal part
	dot  bool   // the pattern segment starts with a literal "."
}

type segKind uint8

const (
	segLiteral segKind = iota // no wildcard
	segAny                    // "*"
	segSuffix                 // "*" followed by a literal
	segPrefix                 // a literal followed by "*"
	segGlob                   // anything else
	segDeep                   // "**"
)

func compileSegment(s string) segment {
	seg := segment{kind: segGlob, pat: s, dot: s[0] == '.'}
	switch wild := strings.IndexAny(s, "*?"); {
	case s == "**":
		seg.kind = segDeep
	case wild < 0:
		seg.kind = segLiteral
	case s == "*":
		seg.kind = segAny
	case s[0] == '*' && !strings.ContainsAny(s[1:], "*?"):
		seg.kind, seg.pat = segSuffix, s[1:]
	case wild == len(s)-1 && s[wild] == '*':
		seg.kind, seg.pat = segPrefix, s[:wild]
	}
	return seg
}

// ParsePathPattern parses a filesystem scope pattern. It rejects patterns
// without a leading scope variable, empty, "." and ".." segments, "**" that
// is not a whole segment, backslashes, control characters (including NUL)
// and invalid UTF-8.
func ParsePathPattern(s string) (PathPattern, error) {
	if s == "" {
		return PathPattern{}, fmt.Errorf("parse path pattern: %w: empty", ErrBadPath)
	}
	if len(s) > maxPatternLen {
		return PathPattern{}, fmt.Errorf("parse path pattern: %w: longer than %d bytes", ErrBadPath, maxPatternLen)
	}
	if !utf8.ValidString(s) {
		return PathPattern{}, fmt.Errorf("parse path pattern %q: %w: invalid UTF-8", s, ErrBadPath)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return PathPattern{}, fmt.Errorf("parse path pattern %q: %w: control character", s, ErrBadPath)
		}
		if s[i] == '\\' {
			return PathPattern{}, fmt.Errorf("parse path pattern %q: %w: backslash (use /)", s, ErrBadPath)
		}
	}
	if s[0] != '$' {
		return PathPattern{}, fmt.Errorf("parse path pattern %q: %w: must start with $DATA, $HOME, $DOCUMENTS or $DOWNLOADS", s, ErrBadPath)
	}
	vr, rest, hasRest := strings.Cut(s, "/")
	if !validVar(vr) {
		return PathPattern{}, fmt.Errorf("parse path pattern %q: %w: unknown variable %q (want $DATA, $HOME, $DOCUMENTS or $DOWNLOADS)", s, ErrBadPath, vr)
	}
	p := PathPattern{raw: s, vr: vr, lastDeep: -1}
	if !hasRest {
		return p, nil
	}
	parts := strings.Split(rest, "/")
	p.segs = make([]segment, len(parts))
	for i, seg := range parts {
		switch {
		case seg == "":
			return PathPattern{}, fmt.Errorf("parse path pattern %q: %w: empty segment", s, ErrBadPath)
		case seg == "." || seg == "..":
			return PathPattern{}, fmt.Errorf("parse path pattern %q: %w: %q segment", s, ErrBadPath, seg)
		case seg != "**" && strings.Contains(seg, "**"):
			return PathPattern{}, fmt.Errorf("parse path pattern %q: %w: ** must be a whole segment", s, ErrBadPath)
		}
		p.segs[i] = compileSegment(seg)
		if seg == "**" {
			p.lastDeep = i
		}
	}
	return p, nil
}

// String returns the pattern as it was written.
func (p PathPattern) String() string { return p.raw }

// Variable returns the pattern's scope variable, such as "$DATA".
func (p PathPattern) Variable() string { return p.vr }

// Match reports whether path lies under root (the directory the pattern's
// variable stands for, absolute and clean) and matches the pattern. Nothing
// is cleaned or resolved here ([Subject.Decide] passes symlink-resolved
// values), and a path that is not absolute and clean (empty, "." or ".."
// segments, a trailing slash) never matches. It does not allocate.
func (p PathPattern) Match(root, path string) bool {
	if p.raw == "" || root == "" {
		return false
	}
	rel, ok := relUnder(root, path)
	if !ok {
		return false
	}
	return matchSegments(p.segs, p.lastDeep, rel)
}

// relUnder returns path relative to root ("" for root itself) when path is
// root or inside it.
func relUnder(root, path string) (string, bool) {
	if !strings.HasPrefix(path, root) {
		return "", false
	}
	rest := path[len(root):]
	if rest == "" {
		return "", true
	}
	if strings.HasSuffix(root, "/") {
		// root is "/" (the only clean path ending in a slash).
		return rest, true
	}
	if rest[0] != '/' {
		return "", false // "/data2" is not inside "/data"
	}
	return rest[1:], true
}

// segmentAt returns the segment of rel starting at byte i and the start of
// the next one; positions past len(rel) mean no segments are left.
func segmentAt(rel string, i int) (seg string, next int) {
	j := strings.IndexByte(rel[i:], '/')
	if j < 0 {
		return rel[i:], len(rel) + 1
	}
	return rel[i : i+j], i + j + 1
}

// matchSegments matches the slash-separated segments of rel against the
// pattern segments. "**" is handled like "*" in a string glob, one segment
// standing for one character, with the usual single backtracking point: that
// is exact here because whether a pattern segment can match a hidden name
// does not depend on where it matches, and "**" never matches one.
//
// Once past the last "**", the rest of the pattern has a fixed number of
// segments, so it can only match that many trailing segments of the path;
// matchTail checks that directly instead of backtracking.
func matchSegments(pat []segment, lastDeep int, rel string) bool {
	si := 0
	if rel == "" {
		si = 1 // no segments
	}
	pi, starPi, starSi := 0, -1, 0
	for {
		if pi < len(pat) && pat[pi].kind == segDeep {
			starPi, starSi = pi, si
			pi++
			if starPi == lastDeep {
				rest := ""
				if si <= len(rel) {
					rest = rel[si:]
				}
				return matchTail(pat[pi:], rest)
			}
			continue
		}
		if si > len(rel) {
			return pi == len(pat)
		}
		seg, next := segmentAt(rel, si)
		if pi < len(pat) && matchSegment(pat[pi], seg) {
			pi++
			si = next
			continue
		}
		if starPi < 0 || starSi > len(rel) {
			return false
		}
		s, n := segmentAt(rel, starSi)
		if s == "" || s[0] == '.' {
			return false
		}
		starSi = n
		si = n
		pi = starPi + 1
	}
}

// matchTail matches rest against "**" followed by the wildcard-free-of-"**"
// segments pat: the leading segments of rest go to "**", which takes only
// non-empty names that do not start with a dot, and the last len(pat)
// segments must match pat one by one.
func matchTail(pat []segment, rest string) bool {
	start := len(rest)
	if len(pat) > 0 {
		if rest == "" {
			return false
		}
		start = 0
		cut := len(rest)
		for n := 1; ; n++ {
			i := strings.LastIndexByte(rest[:cut], '/')
			if n == len(pat) {
				start = i + 1
				break
			}
			if i < 0 {
				return false // fewer segments than the tail needs
			}
			cut = i
		}
	}
	absorbed, tail := rest[:start], rest[start:]
	if absorbed != "" && (absorbed[0] == '.' || absorbed[0] == '/' ||
		strings.Contains(absorbed, "/.") || strings.Contains(absorbed, "//") ||
		(len(pat) == 0 && absorbed[len(absorbed)-1] == '/')) {
		return false
	}
	si := 0
	for _, sp := range pat {
		seg, next := segmentAt(tail, si)
		if !matchSegment(sp, seg) {
			return false
		}
		si = next
	}
	return true
}

// matchSegment matches one path segment against one pattern segment.
// Empty, "." and ".." segments never match, so a path that is not clean can
// never be in scope, even against ".*".
func matchSegment(pat segment, seg string) bool {
	if seg == "" {
		return false
	}
	if seg[0] == '.' && (!pat.dot || seg == "." || seg == "..") {
		return false
	}
	switch pat.kind {
	case segLiteral:
		return seg == pat.pat
	case segAny:
		return true
	case segSuffix:
		return strings.HasSuffix(seg, pat.pat)
	case segPrefix:
		return strings.HasPrefix(seg, pat.pat)
	}
	return matchGlob(pat.pat, seg)
}

// matchGlob matches s against p where "*" is any run and "?" one rune.
func matchGlob(p, s string) bool {
	px, sx := 0, 0
	starP, starS := -1, 0
	for px < len(p) || sx < len(s) {
		if px < len(p) {
			switch c := p[px]; c {
			case '*':
				starP, starS = px, sx
				px++
				continue
			case '?':
				if sx < len(s) {
					_, n := utf8.DecodeRuneInString(s[sx:])
					px++
					sx += n
					continue
				}
			default:
				if sx < len(s) && s[sx] == c {
					px++
					sx++
					continue
				}
			}
		}
		if starP >= 0 && starS < len(s) {
			_, n := utf8.DecodeRuneInString(s[starS:])
			starS += n
			px, sx = starP+1, starS
			continue
		}
		return false
	}
	return true
}
