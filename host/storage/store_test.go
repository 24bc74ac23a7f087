package storage

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.etcd.io/bbolt"
)

func openDB(t testing.TB, path string) *bbolt.DB {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func newStore(t testing.TB) *Store {
	t.Helper()
	db := openDB(t, filepath.Join(t.TempDir(), "state.db"))
	t.Cleanup(func() { db.Close() })
	s, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustUsage(t *testing.T, s *Store, plugin string, want int64) {
	t.Helper()
	got, err := s.Usage(plugin)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("usage(%s) = %d, want %d", plugin, got, want)
	}
}

func TestGetSetIsolation(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	if err := s.Set("com.a", "k", []byte("from a"), 0); err != nil {
		t.Fatal(err)
	}
	if err := s.Set("com.b", "k", []byte("from b"), 0); err != nil {
		t.Fatal(err)
	}
	for plugin, want := range map[string]string{"com.a": "from a", "com.b": "from b"} {
		v, ok, err := s.Get(plugin, "k")
		if err != nil || !ok || string(v) != want {
			t.Fatalf("Get(%s) = %q, %v, %v; want %q", plugin, v, ok, err, want)
		}
	}
	if _, ok, err := s.Get("com.c", "k"); err != nil || ok {
		t.Fatalf("Get on plugin without data = %v, %v", ok, err)
	}
	// A plugin id that is a prefix of another must not see its keys.
	if _, ok, _ := s.Get("com", "k"); ok {
		t.Fatal("prefix plugin id sees another plugin's key")
	}
	if err := s.Purge("com.a"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Get("com.b", "k"); !ok {
		t.Fatal("purging one plugin removed another's key")
	}
	mustUsage(t, s, "com.b", s.Cost(len("k"), len("from b")))
}

func TestGetReturnsCopy(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	if err := s.Set("p", "k", []byte("abc"), 0); err != nil {
		t.Fatal(err)
	}
	v, _, _ := s.Get("p", "k")
	v[0] = 'X'
	again, _, _ := s.Get("p", "k")
	if string(again) != "abc" {
		t.Fatalf("stored value changed through returned slice: %q", again)
	}
}

func TestEmptyValue(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	if err := s.Set("p", "k", nil, 0); err != nil {
		t.Fatal(err)
	}
	v, ok, err := s.Get("p", "k")
	if err != nil || !ok || len(v) != 0 {
		t.Fatalf("Get empty = %q, %v, %v", v, ok, err)
	}
	mustUsage(t, s, "p", s.Cost(1, 0))
}

func TestQuotaBoundary(t *testing.T) {
	t.Parallel()
	exact := newStore(t).Cost(1, 9) // one-byte key, nine-byte value
	tests := []struct {
		name    string
		quota   int64
		value   int
		wantErr bool
	}{
		{"below", exact, 8, false},
		{"exact", exact, 9, false},
		{"one over", exact, 10, true},
		{"no limit", 0, 1 << 16, false},
		{"negative is no limit", -1, 1 << 16, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			err := s.Set("p", "k", make([]byte, tt.value), tt.quota)
			if got := errors.Is(err, ErrQuotaExceeded); got != tt.wantErr {
				t.Fatalf("Set err = %v, want quota error %v", err, tt.wantErr)
			}
			want := s.Cost(1, tt.value)
			if tt.wantErr {
				want = 0
				if _, ok, _ := s.Get("p", "k"); ok {
					t.Fatal("refused write was stored")
				}
			}
			mustUsage(t, s, "p", want)
		})
	}
}

func TestOverwriteAccounting(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	c := s.Cost
	quota := 2 * c(2, 8)
	steps := []struct {
		key, value string
		wantErr    bool
		usage      int64
	}{
		{"aa", "12345678", false, c(2, 8)},
		{"bb", "12345678", false, quota},         // exactly at quota
		{"aa", "123456789", true, quota},         // would be one byte over
		{"aa", "1234", false, c(2, 4) + c(2, 8)}, // shrink
		{"aa", "12345678", false, quota},         // grow back to the boundary
		{"bb", "", false, c(2, 8) + c(2, 0)},
	}
	for i, st := range steps {
		err := s.Set("p", st.key, []byte(st.value), quota)
		if errors.Is(err, ErrQuotaExceeded) != st.wantErr {
			t.Fatalf("step %d: Set err = %v, want quota error %v", i, err, st.wantErr)
		}
		mustUsage(t, s, "p", st.usage)
	}
}

func TestShrinkAllowedAboveLoweredQuota(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	if err := s.Set("p", "k", make([]byte, 99), 0); err != nil {
		t.Fatal(err)
	}
	// Quota lowered below the usage: growing fails, shrinking still works.
	lowered := s.Cost(1, 60) - 1
	if err := s.Set("p", "k2", []byte("x"), lowered); !errors.Is(err, ErrQuotaExceeded) {
		t.Fatalf("grow above lowered quota: %v", err)
	}
	if err := s.Set("p", "k", make([]byte, 60), lowered); err != nil {
		t.Fatalf("shrink above lowered quota: %v", err)
	}
	mustUsage(t, s, "p", s.Cost(1, 60))
}

func TestDeleteAndPurgeAccounting(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	for i := range 5 {
		if err := s.Set("p", fmt.Sprintf("k%d", i), []byte("vv"), 0); err != nil {
			t.Fatal(err)
		}
	}
	mustUsage(t, s, "p", 5*s.Cost(2, 2))
	if err := s.Delete("p", "k1"); err != nil {
		t.Fatal(err)
	}
	mustUsage(t, s, "p", 4*s.Cost(2, 2))
	if err := s.Delete("p", "k1"); err != nil {
		t.Fatalf("deleting a missing key: %v", err)
	}
	if err := s.Delete("nobody", "k1"); err != nil {
		t.Fatalf("deleting from a plugin without data: %v", err)
	}
	mustUsage(t, s, "p", 4*s.Cost(2, 2))
	if err := s.Purge("p"); err != nil {
		t.Fatal(err)
	}
	mustUsage(t, s, "p", 0)
	if keys, _ := s.List("p", "", 0); len(keys) != 0 {
		t.Fatalf("keys after purge: %v", keys)
	}
	if err := s.Purge("p"); err != nil {
		t.Fatalf("purging twice: %v", err)
	}
	// Quota starts from zero again after purge.
	if err := s.Set("p", "k", make([]byte, 9), s.Cost(1, 9)); err != nil {
		t.Fatal(err)
	}
}

func TestList(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	for _, k := range []string{"b/2", "a", "b/1", "b/3", "c", "b"} {
		if err := s.Set("p", k, []byte("v"), 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Set("q", "b/9", []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		prefix string
		limit  int
		want   []string
	}{
		{"", 0, []string{"a", "b", "b/1", "b/2", "b/3", "c"}},
		{"b/", 0, []string{"b/1", "b/2", "b/3"}},
		{"b", 2, []string{"b", "b/1"}},
		{"zz", 0, []string{}},
		{strings.Repeat("x", MaxKey+1), 0, []string{}},
	}
	for _, tt := range tests {
		got, err := s.List("p", tt.prefix, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("List(%q, %d) = %v, want %v", tt.prefix, tt.limit, got, tt.want)
		}
	}
}

func TestListDefaultLimit(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.Bucket(bucketData).CreateBucketIfNotExists([]byte("p"))
		if err != nil {
			return err
		}
		for i := range DefaultList + 5 {
			if err := b.Put(fmt.Appendf(nil, "%05d", i), nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := s.List("p", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != DefaultList || keys[0] != "00000" {
		t.Fatalf("List default limit returned %d keys starting %q", len(keys), keys[0])
	}
}

func TestInvalidInput(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	badKeys := []string{"", "a\x00b", "\xff\xfe", strings.Repeat("k", MaxKey+1)}
	for _, k := range badKeys {
		if err := s.Set("p", k, []byte("v"), 0); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Set(%q) err = %v, want ErrInvalidKey", k, err)
		}
		if _, _, err := s.Get("p", k); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Get(%q) err = %v, want ErrInvalidKey", k, err)
		}
		if err := s.Delete("p", k); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Delete(%q) err = %v, want ErrInvalidKey", k, err)
		}
	}
	if err := s.Set("p", strings.Repeat("k", MaxKey), nil, 0); err != nil {
		t.Errorf("key of exactly MaxKey bytes refused: %v", err)
	}
	for _, p := range []string{"", "a\x00", strings.Repeat("p", MaxPlugin+1)} {
		if err := s.Set(p, "k", nil, 0); !errors.Is(err, ErrInvalidPlugin) {
			t.Errorf("Set plugin %q err = %v, want ErrInvalidPlugin", p, err)
		}
		if _, err := s.Usage(p); !errors.Is(err, ErrInvalidPlugin) {
			t.Errorf("Usage plugin %q err = %v, want ErrInvalidPlugin", p, err)
		}
	}
	if err := s.Set("p", "k", make([]byte, MaxValue+1), 0); !errors.Is(err, ErrValueTooLarge) {
		t.Errorf("oversize value err = %v", err)
	}
	mustUsage(t, s, "p", s.Cost(MaxKey, 0))
}

func TestReopenKeepsUsage(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.db")
	db := openDB(t, path)
	s, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	used := s.Cost(3, 5) + s.Cost(2, 2)
	quota := used + 10
	if err := s.Set("p", "key", []byte("value"), quota); err != nil {
		t.Fatal(err)
	}
	if err := s.Set("p", "k2", []byte("v2"), quota); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = openDB(t, path)
	defer db.Close()
	s, err = Open(db)
	if err != nil {
		t.Fatal(err)
	}
	mustUsage(t, s, "p", used)
	v, ok, err := s.Get("p", "key")
	if err != nil || !ok || string(v) != "value" {
		t.Fatalf("Get after reopen = %q, %v, %v", v, ok, err)
	}
	if err := s.Set("p", "big", []byte("x"), quota); !errors.Is(err, ErrQuotaExceeded) {
		t.Fatalf("quota after reopen: %v", err)
	}
}

func TestConcurrentSetGet(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	const writers, n = 4, 50
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			plugin := fmt.Sprintf("p%d", w%2)
			for i := range n {
				key := fmt.Sprintf("w%d-%d", w, i)
				if err := s.Set(plugin, key, []byte("0123456789"), 0); err != nil {
					t.Error(err)
					return
				}
				if v, ok, err := s.Get(plugin, key); err != nil || !ok || len(v) != 10 {
					t.Errorf("Get %s = %q %v %v", key, v, ok, err)
					return
				}
			}
		})
		wg.Go(func() {
			for range n {
				if _, err := s.List("p0", "w", 10); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for _, p := range []string{"p0", "p1"} {
		// Each key is "wX-Y" (4 or 5 bytes) with a 10-byte value.
		var want int64
		for w := range writers {
			if fmt.Sprintf("p%d", w%2) != p {
				continue
			}
			for i := range n {
				want += s.Cost(len(fmt.Sprintf("w%d-%d", w, i)), 10)
			}
		}
		mustUsage(t, s, p, want)
	}
}

func BenchmarkGet(b *testing.B) {
	s := newStore(b)
	if err := s.Set("com.example.notes", "settings", make([]byte, 64), 0); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok, err := s.Get("com.example.notes", "settings"); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
