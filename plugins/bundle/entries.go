package bundle

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// Entry is one file of a bundle as the entry list records it.
//
// The entry list, WARDEN/entries, is UTF-8 text with one line per entry of
// the bundle except WARDEN/entries and WARDEN/entries.minisig:
//
//	<sha256> SP <size> SP <path> LF
//
// where <sha256> is the SHA-256 of the entry's uncompressed content as 64
// lower-case hex digits, <size> the content's length in bytes in decimal
// without leading zeros, and <path> the entry's name in the zip (a clean
// relative path with "/" separators, no control characters, not under
// WARDEN/; it may contain spaces). Lines are sorted by path in byte order,
// paths are unique, and every line, the last included, ends in LF. Nothing
// else is allowed: no header, blank lines, CR or extra spaces. The list of
// a bundle therefore has one canonical form, and the signature covers it.
type Entry struct {
	Path   string
	Size   int64
	SHA256 [sha256.Size]byte
}

// line renders the entry's line of the list.
func (e Entry) line() string {
	return hex.EncodeToString(e.SHA256[:]) + " " + strconv.FormatInt(e.Size, 10) + " " + e.Path + "\n"
}

// encodeList renders entries, which must be sorted by path, as the list.
func encodeList(entries []Entry) []byte {
	var b bytes.Buffer
	for _, e := range entries {
		b.WriteString(e.line())
	}
	return b.Bytes()
}

// parseList parses an entry list strictly (see [Entry]).
func parseList(data []byte) ([]Entry, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: %s is empty", ErrBadList, ListName)
	}
	if data[len(data)-1] != '\n' {
		return nil, fmt.Errorf("%w: %s does not end with a newline", ErrBadList, ListName)
	}
	lines := strings.Split(string(data[:len(data)-1]), "\n")
	entries := make([]Entry, 0, len(lines))
	for i, line := range lines {
		e, err := parseLine(line)
		if err != nil {
			return nil, fmt.Errorf("%w: %s line %d: %v", ErrBadList, ListName, i+1, err)
		}
		if i > 0 && e.Path <= entries[i-1].Path {
			return nil, fmt.Errorf("%w: %s line %d: %q is not after %q; paths must be unique and sorted", ErrBadList, ListName, i+1, e.Path, entries[i-1].Path)
		}
		entries = append(entries, e)
	}
	return entries, nil
}

// parseLine parses one line of the list, without its LF.
func parseLine(line string) (Entry, error) {
	sum, rest, ok1 := strings.Cut(line, " ")
	size, name, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 {
		return Entry{}, fmt.Errorf("want \"<sha256> <size> <path>\", got %q", abbreviate(line))
	}
	var e Entry
	if len(sum) != 2*sha256.Size || strings.ToLower(sum) != sum {
		return Entry{}, fmt.Errorf("hash %q is not 64 lower-case hex digits", abbreviate(sum))
	}
	if _, err := hex.Decode(e.SHA256[:], []byte(sum)); err != nil {
		return Entry{}, fmt.Errorf("hash %q is not 64 lower-case hex digits", abbreviate(sum))
	}
	n, err := strconv.ParseInt(size, 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != size {
		return Entry{}, fmt.Errorf("size %q is not a decimal number without leading zeros", abbreviate(size))
	}
	e.Size = n
	if err := checkName(name); err != nil {
		return Entry{}, err
	}
	if strings.HasPrefix(foldKey(name), strings.ToLower(WardenDir)) {
		return Entry{}, fmt.Errorf("path %q is under the reserved %s", name, WardenDir)
	}
	e.Path = name
	return e, nil
}

// abbreviate shortens s for an error message.
func abbreviate(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
