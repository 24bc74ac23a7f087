package policy

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"unicode/utf8"
)

// MaxHookSize is the largest isolation hook file accepted, in bytes.
const MaxHookSize = 256 << 10

// maxHookPathLen bounds isolation_hook.path.
const maxHookPathLen = 4096

// Hook is the isolation hook a policy file names in "isolation_hook": a
// script run in every plugin's isolation frame, which sees each request a
// plugin's page sends before it is sealed and may refuse it. The file is
// pinned by its SHA-256; [Hook.Read] returns its contents only when they
// match the pin.
type Hook struct {
	// Path is the script's file. For a policy read from a file it is
	// absolute: a relative path in the file is resolved against the
	// directory of the policy file. For [Parse] it is as written.
	Path string
	// SHA256 is the pinned SHA-256 of the file's contents.
	SHA256 [sha256.Size]byte
	// Policy names the policy file that names the hook ("inline" for
	// [Parse]).
	Policy string
	// User is set for the hook of the user's layer of a [Combine]d
	// policy. Such a hook runs too, before the managed one and in a frame
	// whose built-in objects are frozen, so it can neither replace nor
	// remove the managed hook; every other hook has the admin's authority.
	User bool
}

// Pin returns the pinned SHA-256 as 64 lowercase hex digits.
func (h Hook) Pin() string { return hex.EncodeToString(h.SHA256[:]) }

// Read reads the hook's file once and returns its contents when their
// SHA-256 matches the pin (compared in constant time): the bytes returned
// are the bytes that were checked, so a file replaced after the check is
// never run. A file that does not match is an error matching
// [ErrHookMismatch] that names the file, both hashes and what to do; a
// file that is missing, not a regular file, empty, larger than
// [MaxHookSize], or not text a script can be (invalid UTF-8 or a NUL byte)
// is an error matching [ErrHookUnreadable]. It costs one read of at most
// MaxHookSize bytes and one hash.
func (h Hook) Read() ([]byte, error) {
	data, err := h.readFile()
	if err != nil {
		return nil, fmt.Errorf("%w: %s (isolation_hook in %s): %w; no plugin window opens until it can be read: restore the file or fix isolation_hook.path", ErrHookUnreadable, h.Path, h.Policy, err)
	}
	sum := sha256.Sum256(data)
	if subtle.ConstantTimeCompare(sum[:], h.SHA256[:]) != 1 {
		return nil, fmt.Errorf("%w: %s (isolation_hook in %s) has sha256 %x but the policy pins %s; no plugin window opens until they agree: restore the file, or if it was changed on purpose put its new hash (sha256sum %s) in isolation_hook.sha256",
			ErrHookMismatch, h.Path, h.Policy, sum, h.Pin(), h.Path)
	}
	if err := checkScript(data); err != nil {
		return nil, fmt.Errorf("%w: %s (isolation_hook in %s): %w", ErrHookUnreadable, h.Path, h.Policy, err)
	}
	return data, nil
}

// readFile reads at most MaxHookSize bytes of the hook's file, which must
// be a regular file (after following symlinks). It opens without blocking
// (a FIFO swapped in would otherwise block the open) and checks the mode of
// what it opened, so no file swapped in between a check and the open is
// read; the size is checked on what was read.
func (h Hook) readFile() ([]byte, error) {
	f, err := os.OpenFile(h.Path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (mode %s)", fi.Mode().Type())
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxHookSize+1))
	if err != nil {
		return nil, err
	}
	switch {
	case len(data) > MaxHookSize:
		return nil, fmt.Errorf("the file is larger than the %d bytes allowed", MaxHookSize)
	case len(data) == 0:
		return nil, fmt.Errorf("the file is empty")
	}
	return data, nil
}

// checkScript refuses contents that would not reach the isolation frame
// byte for byte: WebKit takes scripts as C strings (a NUL ends them) and
// they travel as JSON strings (invalid UTF-8 is replaced).
func checkScript(data []byte) error {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return fmt.Errorf("the file has a NUL byte at offset %d: a hook is JavaScript text", i)
	}
	if !utf8.Valid(data) {
		return fmt.Errorf("the file is not valid UTF-8: a hook is JavaScript text")
	}
	return nil
}

// IsolationHooks returns the isolation hooks in force, in the order their
// scripts load: for a policy read from one file, the hook it names, if
// any; for a [Combine]d policy, the managed layer's hook and then the
// user's (marked [Hook.User]). It returns a fresh slice.
func (p *Policy) IsolationHooks() []Hook {
	if p == nil {
		return nil
	}
	return append([]Hook(nil), p.hooks...)
}

// hookJSON is "isolation_hook".
type hookJSON struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// compileHook validates "isolation_hook"; nil when the file names none.
func compileHook(pr *problems, h *hookJSON) []Hook {
	if h == nil {
		return nil
	}
	n := len(*pr)
	switch {
	case h.Path == "":
		pr.add("isolation_hook.path", "is required: the hook script's file, absolute or relative to the policy file's directory")
	case len(h.Path) > maxHookPathLen:
		pr.add("isolation_hook.path", "must be at most %d bytes, got %d", maxHookPathLen, len(h.Path))
	case strings.ContainsFunc(h.Path, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		pr.add("isolation_hook.path", "must not contain control characters, got %q", h.Path)
	}
	var sum [sha256.Size]byte
	switch {
	case h.SHA256 == "":
		pr.add("isolation_hook.sha256", "is required: the SHA-256 of the hook file as 64 hex digits (sha256sum prints it); a hook is never run unpinned")
	case len(h.SHA256) != hex.EncodedLen(sha256.Size):
		pr.add("isolation_hook.sha256", "must be 64 hex digits (sha256sum prints them), got %d characters", len(h.SHA256))
	default:
		if _, err := hex.Decode(sum[:], []byte(h.SHA256)); err != nil {
			pr.add("isolation_hook.sha256", "must be 64 hex digits (sha256sum prints them): %v", err)
		}
	}
	if len(*pr) > n {
		return nil
	}
	return []Hook{{Path: h.Path, SHA256: sum}}
}

// resolveHooks makes the hooks' relative paths absolute against the
// directory of the policy file at path, and names that file in each.
func (p *Policy) resolveHooks(path string) error {
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return fmt.Errorf("resolve isolation hook: %w", err)
	}
	for i := range p.hooks {
		h := &p.hooks[i]
		if !filepath.IsAbs(h.Path) {
			h.Path = filepath.Join(dir, h.Path)
		}
		h.Path = filepath.Clean(h.Path)
		h.Policy = path
	}
	return nil
}
