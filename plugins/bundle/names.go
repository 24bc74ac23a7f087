package bundle

import (
	"fmt"
	"path"
	"strings"
	"unicode/utf8"
)

// MaxNameLen bounds an entry name in bytes; each path element is at most
// 255 bytes, what most file systems allow.
const MaxNameLen = 1024

// Names of Warden's own entries. Everything under WardenDir is reserved.
const (
	WardenDir     = "WARDEN/"
	ListName      = WardenDir + "entries"
	SignatureName = ListName + ".minisig"
)

// checkEscape reports names that could land outside the extraction
// directory: absolute names (leading "/", drive letters, backslashes, which
// Windows reads as separators) and ".." elements.
func checkEscape(name string) error {
	switch {
	case strings.HasPrefix(name, "/"):
		return fmt.Errorf("%w: entry %q starts with \"/\"; entries must be relative to the bundle root", ErrAbsolutePath, name)
	case len(name) >= 2 && name[1] == ':' && isASCIILetter(name[0]):
		return fmt.Errorf("%w: entry %q starts with a drive letter; entries must be relative to the bundle root", ErrAbsolutePath, name)
	case strings.Contains(name, `\`):
		return fmt.Errorf("%w: entry %q contains a backslash; entries use \"/\" only", ErrAbsolutePath, name)
	}
	for _, el := range strings.Split(name, "/") {
		if el == ".." {
			return fmt.Errorf("%w: entry %q has a \"..\" element that leaves the bundle", ErrPathTraversal, name)
		}
	}
	return nil
}

// checkName returns what is wrong with an entry name, or nil. It applies
// checkEscape, then requires a clean UTF-8 path without control
// characters, at most MaxNameLen bytes and 255 per element.
func checkName(name string) error {
	if err := checkEscape(name); err != nil {
		return err
	}
	switch {
	case name == "":
		return fmt.Errorf("%w: an entry has an empty name", ErrBadName)
	case len(name) > MaxNameLen:
		return fmt.Errorf("%w: entry %q is %d bytes long, more than %d", ErrBadName, name[:64]+"...", len(name), MaxNameLen)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: entry %q is not valid UTF-8", ErrBadName, name)
	case path.Clean(name) != name || name == ".":
		return fmt.Errorf("%w: entry %q is not a clean path (no \".\", empty elements or trailing \"/\")", ErrBadName, name)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("%w: entry %q contains a control character", ErrBadName, name)
		}
	}
	for _, el := range strings.Split(name, "/") {
		if len(el) > 255 {
			return fmt.Errorf("%w: entry %q has an element longer than 255 bytes", ErrBadName, name)
		}
	}
	return nil
}

// foldKey is the name as a case-insensitive file system would see it:
// cleaned and case-folded. Two entries with one key would overwrite each
// other on extraction there.
func foldKey(name string) string {
	return strings.ToLower(strings.ToUpper(path.Clean(name)))
}

func isASCIILetter(b byte) bool { return b|0x20 >= 'a' && b|0x20 <= 'z' }
