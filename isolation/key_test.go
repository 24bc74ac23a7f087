package isolation

import (
	"regexp"
	"testing"
)

func TestNewKeyDistinct(t *testing.T) {
	t.Parallel()
	seen := make(map[Key]bool)
	for i := 0; i < 256; i++ {
		k := newTestKey(t)
		if k == (Key{}) {
			t.Fatal("zero key")
		}
		if seen[k] {
			t.Fatal("repeated key")
		}
		seen[k] = true
	}
}

func TestNewLaunchID(t *testing.T) {
	t.Parallel()
	hex32 := regexp.MustCompile(`^[0-9a-f]{32}$`)
	seen := make(map[string]bool)
	for i := 0; i < 256; i++ {
		id, err := NewLaunchID()
		if err != nil {
			t.Fatal(err)
		}
		if !hex32.MatchString(id) {
			t.Fatalf("launch id %q is not 128-bit lower-case hex", id)
		}
		if seen[id] {
			t.Fatal("repeated launch id")
		}
		seen[id] = true
	}
}
