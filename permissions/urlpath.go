package permissions

import (
	"fmt"
	"strings"
)

// CanonicalURLPath returns the canonical form of an escaped URL path (as
// url.URL.EscapedPath returns it), the only form [MatchPattern.Match]
// matches and the form to send: "%2e" is decoded to ".", then dot segments
// are removed as RFC 3986 section 5.2.4 says, so "/api/../admin" and
// "/api/%2e%2e/admin" both become "/admin" and are decided as such.
//
// Paths a server could read as a different path are refused with an error
// wrapping [ErrBadURL]: an encoded slash or backslash ("%2f", "%5c", which
// some servers decode before resolving ".."), a raw backslash, double
// encoded dots and slashes ("%252e"), and dot segments carrying parameters
// ("..;x", which some Java servers resolve as ".."). It allocates a new
// string only when the path changes.
func CanonicalURLPath(escaped string) (string, error) {
	p := removeDotSegments(decodeDots(escaped))
	if problem := pathProblem(p); problem != "" {
		return "", fmt.Errorf("%w: path %.80q: %s", ErrBadURL, escaped, problem)
	}
	return p, nil
}

// decodeDots replaces every "%2e" or "%2E" with ".": the dot is unreserved,
// so both spellings mean the same URL (RFC 3986 section 2.3).
func decodeDots(p string) string {
	if !strings.Contains(p, "%2e") && !strings.Contains(p, "%2E") {
		return p
	}
	return strings.NewReplacer("%2e", ".", "%2E", ".").Replace(p)
}

// removeDotSegments applies RFC 3986 section 5.2.4 to an absolute path.
func removeDotSegments(p string) string {
	if !hasDotSegment(p) || !strings.HasPrefix(p, "/") {
		return p
	}
	segs := strings.Split(p[1:], "/")
	out := make([]string, 0, len(segs))
	for i, s := range segs {
		last := i == len(segs)-1
		switch s {
		case ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, s)
			continue
		}
		if last {
			// "/a/b/.." is "/a/", a directory, as in the RFC's examples.
			out = append(out, "")
		}
	}
	return "/" + strings.Join(out, "/")
}

func hasDotSegment(p string) bool {
	for seg := range strings.SplitSeq(p, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// pathProblem says why an escaped path is not canonical, or returns "".
// It does not allocate.
func pathProblem(p string) string {
	if p == "" {
		return ""
	}
	if p[0] != '/' {
		return "does not start with '/'"
	}
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '\\':
			return "a backslash is a path separator to some servers; write '/' or leave it out"
		case '%':
			if i+2 >= len(p) || !isHex(p[i+1]) || !isHex(p[i+2]) {
				return "'%' not followed by two hex digits"
			}
			switch hexPair(p[i+1], p[i+2]) {
			case 0x2e:
				return "an encoded dot (%2E) must be written as '.'"
			case 0x2f, 0x5c:
				return "an encoded slash or backslash (%2F, %5C) is read as a separator by some servers; Warden refuses it"
			case 0x25:
				if i+4 < len(p) && isHex(p[i+3]) && isHex(p[i+4]) {
					switch hexPair(p[i+3], p[i+4]) {
					case 0x2e, 0x2f, 0x5c:
						return "a double-encoded dot or slash (%252E, %252F, %255C) is refused"
					}
				}
			}
		}
	}
	for start := 1; start <= len(p); {
		end := strings.IndexByte(p[start:], '/')
		if end < 0 {
			end = len(p)
		} else {
			end += start
		}
		seg := p[start:end]
		start = end + 1
		name := seg
		for i := 0; i < len(name); i++ {
			if name[i] == ';' || name[i] == '%' && i+2 < len(name) && hexPair(name[i+1], name[i+2]) == 0x3b {
				name = name[:i]
				break
			}
		}
		if name == "." || name == ".." {
			if name == seg {
				return "a dot segment is left in the path"
			}
			return "a dot segment with parameters (\"..;\") is resolved as \"..\" by some servers; Warden refuses it"
		}
	}
	return ""
}

// hexPair returns the byte two hex digits spell.
func hexPair(a, b byte) byte { return unhex(a)<<4 | unhex(b) }

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10
	}
	return 0
}
