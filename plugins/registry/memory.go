package registry

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/wardenhq/warden/internal/atomicfile"
	"github.com/wardenhq/warden/plugins/signing"
)

// MemoryFile is the name of a profile's registry memory.
const MemoryFile = "registry.json"

// Memory is what a profile remembers of registries, kept in
// <profile>/registry.json: the registry last used, so that an update needs
// no flags, and the newest index time verified from each registry (by key
// and canonical URL, Seen), so that an older index, replayed by a mirror or
// an attacker, is refused. Files written before Seen was keyed by key read
// the same.
type Memory struct {
	URL  string `json:"url"`
	Key  string `json:"key"`
	Seen Seen   `json:"seen,omitempty"`

	path string
}

// LoadMemory reads the memory in path; a missing file is an empty memory.
func LoadMemory(path string) (*Memory, error) {
	m := &Memory{path: path}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, fmt.Errorf("registry memory: %w", err)
	}
	if err := json.Unmarshal(b, m); err != nil {
		return nil, fmt.Errorf("%s: %w (delete it and pass the registry's URL and key again)", path, err)
	}
	return m, nil
}

// Save writes the memory back, atomically and durably.
func (m *Memory) Save() error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("registry memory: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(m.path), 0o700); err != nil {
		return fmt.Errorf("registry memory: %w", err)
	}
	return atomicfile.WriteFile(m.path, append(b, '\n'), 0o600)
}

// ErrNoRegistry reports a memory that names no registry.
var ErrNoRegistry = errors.New("no registry")

// Client returns a client for the remembered registry that refuses an
// index older than the newest one verified before, and remembers each
// newer one it verifies (saving the memory; a failed save is passed to
// warn, which may be nil).
func (m *Memory) Client(warn func(error)) (*Client, error) {
	if m.URL == "" || m.Key == "" {
		return nil, ErrNoRegistry
	}
	key, err := signing.ParsePublicKey(m.Key)
	if err != nil {
		return nil, fmt.Errorf("registry key: %w", err)
	}
	c := &Client{IndexURL: m.URL, Key: key}
	if _, err := c.Location(); err != nil {
		return nil, err
	}
	c.NotBefore = m.Seen.NotBefore(c)
	c.Verified = func(ix *Index) {
		if m.Seen == nil {
			m.Seen = Seen{}
		}
		if !m.Seen.Remember(c, ix.Updated) {
			return
		}
		if err := m.Save(); err != nil && warn != nil {
			warn(fmt.Errorf("cannot remember the registry index time in %s: %w", m.path, err))
		}
	}
	return c, nil
}
