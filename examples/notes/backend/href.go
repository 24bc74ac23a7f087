package main

import (
	"net/url"
	"strings"
)

// maxHref bounds a link's URL; a longer one is not a link.
const maxHref = 2048

// safeHref reports whether dest may become a link's href: an absolute http
// or https URL with a host, or a mailto: URL, with no space or control
// character anywhere (browsers drop tabs and newlines from URLs, so
// "java\tscript:" would otherwise read as "javascript:"). Every other URL,
// relative ones included, is refused, and the link is shown as its text.
// The caller still escapes dest for the attribute.
func safeHref(dest string) bool {
	if dest == "" || len(dest) > maxHref {
		return false
	}
	for _, r := range dest {
		if r <= ' ' || (r >= 0x7f && r <= 0x9f) || r == '\u2028' || r == '\u2029' || r == '\uFEFF' {
			return false
		}
	}
	scheme, rest, ok := strings.Cut(dest, ":")
	if !ok || !isScheme(scheme) {
		return false
	}
	switch strings.ToLower(scheme) {
	case "http", "https":
		u, err := url.Parse(dest)
		return err == nil && u.Host != "" && strings.HasPrefix(rest, "//")
	case "mailto":
		return rest != ""
	}
	return false
}

// isScheme reports whether s is a URL scheme: a letter, then letters,
// digits, "+", "-" or ".".
func isScheme(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20 // lower case for letters
		switch {
		case c >= 'a' && c <= 'z':
		case i > 0 && (s[i] >= '0' && s[i] <= '9' || s[i] == '+' || s[i] == '-' || s[i] == '.'):
		default:
			return false
		}
	}
	return true
}
