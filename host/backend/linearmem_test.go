package backend

import (
	"testing"
	"unsafe"
)

// TestMmapMemory: a mapped linear memory grows in place up to its
// reservation, keeps what was written, refuses to grow past it, and can be
// freed; the fallback in Go's heap follows the same rules.
func TestMmapMemory(t *testing.T) {
	const page = 64 << 10
	m := mmapAllocator{}.Allocate(page, 16*page)
	b := m.Reallocate(page)
	if len(b) != page {
		t.Fatalf("len %d, want %d", len(b), page)
	}
	b[page-1] = 42
	grown := m.Reallocate(4 * page)
	if len(grown) != 4*page || unsafe.SliceData(grown) != unsafe.SliceData(b) || grown[page-1] != 42 {
		t.Fatalf("grown to %d bytes at %p (was %p), byte %d", len(grown), unsafe.SliceData(grown), unsafe.SliceData(b), grown[page-1])
	}
	grown[4*page-1] = 7
	if m.Reallocate(17*page) != nil {
		t.Fatal("grew past its maximum")
	}
	m.Free()
	m.Free() // twice is harmless
	if m.Reallocate(page) != nil {
		t.Fatal("a freed memory grew")
	}

	heap := &mmapMemory{max: 4 * page}
	h := heap.Reallocate(page)
	h[0] = 9
	if h = heap.Reallocate(3 * page); len(h) != 3*page || h[0] != 9 {
		t.Fatalf("heap memory grown to %d bytes, first byte %d", len(h), h[0])
	}
	if heap.Reallocate(5*page) != nil {
		t.Fatal("heap memory grew past its maximum")
	}
	heap.Free()
}
