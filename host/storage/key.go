package storage

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits on keys, values and listings.
const (
	// MaxKey is the longest key in bytes. Keys must be non-empty valid UTF-8
	// without NUL.
	MaxKey = 1024
	// MaxValue is the largest value in bytes; the quota usually binds first.
	MaxValue = 16 << 20
	// MaxPlugin is the longest plugin id in bytes.
	MaxPlugin = 255
	// DefaultList is the List limit used when the caller passes limit <= 0.
	DefaultList = 1000
	// MaxList caps the number of keys one List call returns.
	MaxList = 10000
)

// Errors callers branch on.
var (
	// ErrQuotaExceeded means the write would take the plugin over its quota.
	ErrQuotaExceeded = errors.New("storage quota exceeded")
	// ErrInvalidKey means the key is empty, too long, not UTF-8 or has NUL.
	ErrInvalidKey = errors.New("invalid storage key")
	// ErrInvalidPlugin means the plugin id is empty, too long, not UTF-8 or has NUL.
	ErrInvalidPlugin = errors.New("invalid plugin id")
	// ErrValueTooLarge means the value is longer than MaxValue.
	ErrValueTooLarge = errors.New("storage value too large")
)

// CheckKey reports whether key is acceptable, returning an error wrapping
// ErrInvalidKey that says why if not. It costs one pass over the key.
func CheckKey(key string) error {
	switch {
	case key == "":
		return fmt.Errorf("empty key: %w", ErrInvalidKey)
	case len(key) > MaxKey:
		return fmt.Errorf("key of %d bytes exceeds %d: %w", len(key), MaxKey, ErrInvalidKey)
	case !utf8.ValidString(key):
		return fmt.Errorf("key is not valid UTF-8: %w", ErrInvalidKey)
	case strings.IndexByte(key, 0) >= 0:
		return fmt.Errorf("key contains NUL: %w", ErrInvalidKey)
	}
	return nil
}

func checkPlugin(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("empty plugin id: %w", ErrInvalidPlugin)
	case len(id) > MaxPlugin:
		return fmt.Errorf("plugin id of %d bytes exceeds %d: %w", len(id), MaxPlugin, ErrInvalidPlugin)
	case !utf8.ValidString(id) || strings.IndexByte(id, 0) >= 0:
		return fmt.Errorf("plugin id %q: %w", id, ErrInvalidPlugin)
	}
	return nil
}
