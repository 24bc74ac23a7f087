package policy

import (
	"fmt"
	"io"
	"os"
)

// DefaultPath is where the host reads the admin's managed policy, which
// always applies when the file exists (see [Combine] for a user's policy on
// top of it).
const DefaultPath = "/etc/warden/policy.json"

// Load reads and parses the policy file at path. A missing file is not an
// error: it means no policy, everything is allowed, and the result's
// Missing is true and its Source says so. A file that is not a regular
// file (after following symlinks, which configuration tools use), is larger
// than MaxSize or does not parse is an error; parse errors are *Error
// values naming the file.
func Load(path string) (*Policy, error) {
	_, p, err := load(path)
	return p, err
}

// missingPolicy is the policy in force when no file exists at path.
func missingPolicy(path string) *Policy {
	return &Policy{
		Source:  fmt.Sprintf("no policy file at %s: every plugin is allowed", path),
		Path:    path,
		Missing: true,
		def:     Allow,
	}
}

// parseFile parses data read from path, naming the file in errors.
func parseFile(path string, data []byte) (*Policy, error) {
	p, err := Parse(data)
	if err != nil {
		eachError(err, func(e *Error) { e.File = path })
		return nil, err
	}
	p.Source, p.Path = path, path
	if err := p.resolveHooks(path); err != nil {
		return nil, err
	}
	return p, nil
}

// readFile reads at most MaxSize bytes of a regular file.
// The mode is checked before opening because opening a FIFO would block.
func readFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("load policy: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, &Error{File: path, Msg: fmt.Sprintf("not a regular file (mode %s); point --policy at a JSON file", fi.Mode().Type())}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load policy: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("load policy %s: %w", path, err)
	}
	if len(data) > MaxSize {
		return nil, &Error{File: path, Msg: fmt.Sprintf("file is larger than the %d bytes allowed", MaxSize)}
	}
	return data, nil
}
