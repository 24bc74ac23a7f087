package policy

import (
	"fmt"
	"strings"
)

// maxIDLen bounds plugin ids and id patterns, as manifests do.
const maxIDLen = 128

// checkIDPattern reports what is wrong with an entry's id: a plugin id or a
// pattern in which "*" matches any run of characters.
func checkIDPattern(s string) string {
	switch {
	case s == "":
		return `is required: a plugin id such as "com.example.notes" or a pattern such as "com.example.*"`
	case len(s) > maxIDLen:
		return fmt.Sprintf("must be at most %d bytes, got %d", maxIDLen, len(s))
	case strings.Contains(s, "**"):
		return fmt.Sprintf(`%q: a single "*" already matches any run of characters`, s)
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '.' && r != '-' && r != '*' {
			return fmt.Sprintf(`%q: plugin ids are lower case; use letters a-z, digits, '.', '-' and "*"`, s)
		}
	}
	return ""
}

// isPattern reports whether an entry id contains "*".
func isPattern(id string) bool { return strings.Contains(id, "*") }

// specificity ranks an entry id for a plugin it matches: an exact id beats
// every pattern, and a pattern with more literal characters beats one with
// fewer.
func specificity(id string) int {
	if !isPattern(id) {
		return maxIDLen + 1
	}
	return len(id) - strings.Count(id, "*")
}

// matchID reports whether id matches pattern, in which "*" matches any run
// of characters (dots included) and everything else matches itself. It
// runs in O(len(pattern)*len(id)) at worst and does not allocate.
func matchID(pattern, id string) bool {
	p, s := 0, 0
	star, mark := -1, 0
	for s < len(id) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, s
			p++
		case p < len(pattern) && pattern[p] == id[s]:
			p++
			s++
		case star >= 0:
			// Let the last star swallow one more character and retry.
			mark++
			p, s = star+1, mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
