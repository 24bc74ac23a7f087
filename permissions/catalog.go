package permissions

import "strings"

// Entry describes one permission of the catalog.
type Entry struct {
	// Name is the permission name used in manifests, grants and policy.
	Name string
	// Description is the one-line text shown to the user at consent time.
	Description string
	// Implicit permissions need no user consent.
	Implicit bool
}

// BackendPrefix starts the permission name of a plugin's backend command:
// command "render" needs permission "backend.render".
const BackendPrefix = "backend."

// AppPrefix starts the name of a permission an embedding application
// defines for its own capabilities ("app.clock"). Such permissions are not
// catalog entries: the application gives their consent text, and like
// every catalog permission that is not implicit they need a grant.
const AppPrefix = "app."

// ValidAppPermission reports whether name is a well-formed application
// permission: AppPrefix, then one or more dot-separated parts of lower-case
// ASCII letters, digits and underscores, each starting with a letter, 80
// bytes in all at most.
func ValidAppPermission(name string) bool {
	rest, ok := strings.CutPrefix(name, AppPrefix)
	if !ok || len(name) > 80 || rest == "" {
		return false
	}
	for part := range strings.SplitSeq(rest, ".") {
		if part == "" || part[0] < 'a' || part[0] > 'z' {
			return false
		}
		for i := 1; i < len(part); i++ {
			c := part[i]
			if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
				return false
			}
		}
	}
	return true
}

// catalog is the fixed list, in the order it is shown to users.
var catalog = [...]Entry{
	{Name: "storage", Description: "Store its own data on this computer"},
	{Name: "fs.read", Description: "Read files in the folders it lists"},
	{Name: "fs.write", Description: "Create and change files in the folders it lists"},
	{Name: "http", Description: "Connect to the websites it lists"},
	{Name: "notifications", Description: "Show desktop notifications"},
	{Name: "clipboard.read", Description: "Read what you copy to the clipboard"},
	{Name: "clipboard.write", Description: "Put text on the clipboard"},
	{Name: "dialog", Description: "Open file dialogs and use the files you pick"},
	{Name: "open_url", Description: "Open web pages in your browser"},
	{Name: "log", Description: "Write messages to the host log", Implicit: true},
	{Name: "events", Description: "Send events from its backend to its own window", Implicit: true},
	{Name: "permissions", Description: "Ask you for the optional permissions it declares, when you click in its window", Implicit: true},
}

// Catalog returns every catalog permission in a stable order. The slice is a
// fresh copy that the caller may keep or change.
func Catalog() []Entry {
	out := make([]Entry, len(catalog))
	copy(out[:], catalog[:])
	return out
}

// Lookup returns the catalog entry called name. Backend command permissions
// ("backend.<command>") are not catalog entries: each is named after its
// command. Which command needs which permission is the core's capability
// table (host.Capability).
func Lookup(name string) (Entry, bool) {
	i := catalogIndex(name)
	if i < 0 {
		return Entry{}, false
	}
	return catalog[i], true
}

// catalogIndex returns the position of name in the catalog or -1. A linear
// scan over ten short strings is faster than a map lookup and never allocates.
func catalogIndex(name string) int {
	for i := range catalog {
		if catalog[i].Name == name {
			return i
		}
	}
	return -1
}

// ValidCommand reports whether name is a valid backend command name:
// a lower-case ASCII letter followed by up to 63 ASCII letters, digits or
// underscores. Command names become WebAssembly export names, so they are
// kept to identifiers every guest language can export.
func ValidCommand(name string) bool {
	if len(name) == 0 || len(name) > 64 {
		return false
	}
	if c := name[0]; c < 'a' || c > 'z' {
		return false
	}
	for i := 1; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_':
		default:
			return false
		}
	}
	return true
}

// backendCommand returns the command name of a "backend.<name>" permission.
func backendCommand(perm string) (string, bool) {
	name, found := strings.CutPrefix(perm, BackendPrefix)
	if !found || !ValidCommand(name) {
		return "", false
	}
	return name, true
}
