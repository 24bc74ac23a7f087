package registry

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wardenhq/warden/plugins/signing"
)

// TestMemoryRefusesAnOlderIndexAfterRestart: the newest index time a
// client verified is saved, and a client made later from the saved memory
// refuses anything older.
func TestMemoryRefusesAnOlderIndexAfterRestart(t *testing.T) {
	t.Parallel()
	_, pub, err := signing.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "profile", MemoryFile)
	mem, err := LoadMemory(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mem.Client(nil); err != ErrNoRegistry {
		t.Fatalf("empty memory: %v, want ErrNoRegistry", err)
	}
	mem.URL, mem.Key = "https://registry.example.com/index.json", pub.String()
	c, err := mem.Client(nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	c.Verified(&Index{Updated: seen})

	again, err := LoadMemory(path)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := again.Client(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !c2.NotBefore.Equal(seen) {
		t.Fatalf("after reload NotBefore = %v, want %v", c2.NotBefore, seen)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("memory file: %v %v", fi, err)
	}
}
