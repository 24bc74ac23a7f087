package storage

import (
	"errors"
	"math/rand/v2"
	"testing"

	"go.etcd.io/bbolt"
)

// realSpend is what plugin's keys really take in the state file: the pages
// of its bucket, or its bytes inside the parent page while it is inline.
func realSpend(t *testing.T, s *Store, plugin string) int64 {
	t.Helper()
	var n int64
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := pluginBucket(tx, plugin)
		if b == nil {
			return nil
		}
		st := b.Stats()
		n = int64(st.BranchAlloc + st.LeafAlloc + st.InlineBucketInuse)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestQuotaCoversRealSpend is a plugin filling its quota with keys shaped
// to waste the most disk per counted byte: a million tiny keys in order
// (bbolt leaves those pages half full), in random order, and values around
// and above the page size. Whatever the shape, the quota must bind at what
// the keys really take on disk, and not far below it.
func TestQuotaCoversRealSpend(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		quota  int64
		value  int
		random bool
		mixed  int // when set, every third value has this size and the others are empty
	}{
		{"tiny keys in order", 512 << 10, 0, false, 0},
		{"tiny keys in random order", 512 << 10, 0, true, 0},
		{"tiny values", 512 << 10, 8, false, 0},
		{"small values", 512 << 10, 100, false, 0},
		{"half-page values", 1 << 20, 2000, false, 0},
		{"page and a bit", 2 << 20, 4100, false, 0},
		{"large values", 4 << 20, 100 << 10, true, 0},
		// Two tiny keys before each large one close a page almost empty.
		{"tiny keys between half pages", 512 << 10, 0, false, 2020},
		{"tiny keys between pages", 512 << 10, 0, false, 4070},
		{"tiny keys between quarter pages", 512 << 10, 0, false, 1000},
		{"tiny keys between bigger quarter pages", 512 << 10, 0, false, 1500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			value := make([]byte, tt.value)
			const attempts = 1_000_000
			order := rand.Perm(attempts)
			written := 0
			for i := range attempts {
				n := i
				if tt.random {
					n = order[i]
				}
				v := value
				if tt.mixed > 0 && n%3 == 2 {
					v = make([]byte, tt.mixed)
				}
				err := s.Set("com.example.a", tinyKey(n), v, tt.quota)
				if errors.Is(err, ErrQuotaExceeded) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				written++
			}
			if written == attempts {
				t.Fatalf("%d keys written and the quota of %d bytes never bound", written, tt.quota)
			}
			real := realSpend(t, s, "com.example.a")
			t.Logf("%d keys, %d bytes on disk, quota %d", written, real, tt.quota)
			if real > tt.quota {
				t.Fatalf("%d keys take %d bytes on disk, over the quota of %d", written, real, tt.quota)
			}
			if real < tt.quota/4 {
				t.Fatalf("quota bound at %d keys taking only %d of %d bytes: the cost overcharges", written, real, tt.quota)
			}
		})
	}
}

// TestUsageRecountedFromOldFormat opens a state file whose usage records
// count only key and value bytes (the earlier format): Open recounts them
// at the real cost, so a plugin that stored tiny keys is held to the quota
// from the first write after the upgrade.
func TestUsageRecountedFromOldFormat(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	for _, k := range []string{"a", "b", "c"} {
		if err := s.Set("p", k, []byte("v"), 0); err != nil {
			t.Fatal(err)
		}
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		if err := tx.Bucket(bucketMeta).Delete(keyFormat); err != nil {
			return err
		}
		return writeUsage(tx, "p", 6) // what the old format counted
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err = Open(s.db)
	if err != nil {
		t.Fatal(err)
	}
	mustUsage(t, s, "p", 3*s.Cost(1, 1))
}

// tinyKey is a distinct three-byte key for each n below 126³, in the order
// of n: base-126 digits in bytes 1..126 (no NUL, valid UTF-8).
func tinyKey(n int) string {
	return string([]byte{byte(1 + n/(126*126)%126), byte(1 + n/126%126), byte(1 + n%126)})
}
