package backend

import (
	"context"
	"math"
	"sync"

	"github.com/tetratelabs/wazero/experimental"
	"golang.org/x/sys/unix"
)

// Linear memories outside Go's heap. By default wazero keeps an instance's
// linear memory in a Go byte slice: growing it copies it, and the memory of
// a closed instance goes back to Go's heap, not to the system, so a plugin's
// released instances (Config.IdleRelease) would not lower the core's RSS.
// mmapAllocator reserves each memory's maximum size (the manifest's
// memory_mb) as address space that is not backed until the guest touches
// it: growing is free and in place, and closing the instance unmaps it at
// once. Bounds checks stay wazero's: a guest sees the length, never the
// reservation.

// mmapAllocator is a wazero MemoryAllocator backed by anonymous mappings.
type mmapAllocator struct{}

// Allocate implements experimental.MemoryAllocator.
// Where no mapping can be made, the memory lives in Go's heap as wazero's
// own would.
func (mmapAllocator) Allocate(capacity, max uint64) experimental.LinearMemory {
	if max > 0 && max <= math.MaxInt {
		b, err := unix.Mmap(-1, 0, int(max), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_NORESERVE)
		if err == nil {
			return &mmapMemory{buf: b, mapped: true}
		}
	}
	return &mmapMemory{buf: make([]byte, 0, min(capacity, max)), max: max}
}

// mmapMemory is one linear memory: a mapping of its maximum size, of which
// the guest sees the first size bytes.
type mmapMemory struct {
	mu     sync.Mutex
	buf    []byte // the whole mapping; or, not mapped, the Go slice so far
	mapped bool
	max    uint64 // the limit of a memory that is not mapped
}

// Reallocate implements experimental.LinearMemory: a mapped memory grows
// in place, up to its reservation.
func (m *mmapMemory) Reallocate(size uint64) []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.mapped {
		if size > uint64(len(m.buf)) {
			return nil
		}
		return m.buf[:size:size]
	}
	if size > m.max {
		return nil
	}
	if size > uint64(cap(m.buf)) {
		grown := make([]byte, size, min(max(size, 2*uint64(cap(m.buf))), m.max))
		copy(grown, m.buf)
		m.buf = grown
	}
	m.buf = m.buf[:size]
	return m.buf
}

// Free implements experimental.LinearMemory: a mapping's pages go back to
// the system at once.
func (m *mmapMemory) Free() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.mapped && m.buf != nil {
		_ = unix.Munmap(m.buf)
	}
	m.buf = nil
}

// withLinearMemory makes the instances created under ctx keep their
// linear memories outside Go's heap.
func withLinearMemory(ctx context.Context) context.Context {
	return experimental.WithMemoryAllocator(ctx, mmapAllocator{})
}
