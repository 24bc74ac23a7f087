package watch

import (
	"path"
	"strings"
)

// ignoredDirs are directories whose contents never change a plugin: a
// version control store and installed JavaScript packages (a build step
// reads them; they are not the plugin's sources).
var ignoredDirs = map[string]bool{".git": true, ".hg": true, ".svn": true, "node_modules": true}

// Ignored reports whether a change to rel (a slash-separated path below
// the watched root) is left out: anything under an ignored directory, and
// files that editors and tools write beside the real ones (vim's .swp and
// 4913, emacs's #name# and .#name, name~ backups, and hidden .name.*.tmp
// files written then renamed into place, as builds do, with the go
// command's .name.*.tmp-go-tmp-umask beside them).
func Ignored(rel string) bool {
	for dir := range strings.SplitSeq(path.Dir(rel), "/") {
		if ignoredDirs[dir] {
			return true
		}
	}
	base := path.Base(rel)
	switch {
	case ignoredDirs[base]:
		return true
	case base == "4913": // vim checks that it may write in the directory
		return true
	case strings.HasSuffix(base, "~"):
		return true
	case strings.HasPrefix(base, ".#"), strings.HasPrefix(base, "#") && strings.HasSuffix(base, "#"):
		return true
	case strings.HasPrefix(base, ".") && (strings.HasSuffix(base, ".swp") || strings.HasSuffix(base, ".swo") || strings.HasSuffix(base, ".swx") || strings.Contains(base, ".tmp")):
		return true
	case strings.HasSuffix(base, ".kate-swp"):
		return true
	}
	return false
}
