package storage

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzKey(f *testing.F) {
	for _, s := range []string{"", "a", "a\x00", "\xff", "settings/theme", strings.Repeat("é", 600)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		err := CheckKey(key)
		valid := key != "" && len(key) <= MaxKey && utf8.ValidString(key) && !strings.ContainsRune(key, 0)
		if (err == nil) != valid {
			t.Fatalf("CheckKey(%q) = %v, want valid=%v", key, err, valid)
		}
	})
}
