package permissions

import "strings"

// MessagingPrefix starts the permission to call the commands another
// plugin exports: "messaging:com.example.search" lets a plugin call what
// com.example.search lists in its manifest's "exports". Each such
// permission needs its own grant.
const MessagingPrefix = "messaging:"

// MaxPluginID bounds a plugin id (the manifest's limit).
const MaxPluginID = 128

// ValidMessagingPermission reports whether name is MessagingPrefix and a
// well-formed plugin id.
func ValidMessagingPermission(name string) bool {
	id, ok := strings.CutPrefix(name, MessagingPrefix)
	return ok && ValidPluginID(id)
}

// ValidPluginID reports whether id is a well-formed plugin id: dot-separated
// parts of lower-case ASCII letters, digits and dashes, at least two, the
// first starting with a letter, each other with a letter or digit, at most
// MaxPluginID bytes (the manifest's id rule).
func ValidPluginID(id string) bool {
	if id == "" || len(id) > MaxPluginID || id[0] < 'a' || id[0] > 'z' {
		return false
	}
	parts := 0
	for part := range strings.SplitSeq(id, ".") {
		parts++
		if part == "" || part[0] == '-' {
			return false
		}
		for i := 0; i < len(part); i++ {
			c := part[i]
			if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
				return false
			}
		}
	}
	return parts >= 2
}
