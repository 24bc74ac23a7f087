//go:build wasip1

package guest

import "encoding/binary"

// Extism kernel ABI: memory blocks live in the host-side kernel and are addressed by i64
// offsets. Byte-wise loads and stores are separate host calls, so everything here moves
// 8 bytes at a time and touches single bytes only for blocks shorter than 8.

//go:wasmimport extism:host/env input_length
func extismInputLength() uint64

//go:wasmimport extism:host/env input_load_u8
func extismInputLoadU8(offset uint64) uint32

//go:wasmimport extism:host/env input_load_u64
func extismInputLoadU64(offset uint64) uint64

//go:wasmimport extism:host/env alloc
func extismAlloc(n uint64) uint64

//go:wasmimport extism:host/env free
func extismFree(offset uint64)

//go:wasmimport extism:host/env length
func extismLength(offset uint64) uint64

//go:wasmimport extism:host/env load_u8
func extismLoadU8(offset uint64) uint32

//go:wasmimport extism:host/env load_u64
func extismLoadU64(offset uint64) uint64

//go:wasmimport extism:host/env store_u8
func extismStoreU8(offset uint64, v uint32)

//go:wasmimport extism:host/env store_u64
func extismStoreU64(offset uint64, v uint64)

//go:wasmimport extism:host/env output_set
func extismOutputSet(offset, n uint64)

//go:wasmimport extism:host/env error_set
func extismErrorSet(offset uint64)

//go:wasmimport extism:host/env config_get
func extismConfigGet(offset uint64) uint64

//go:wasmimport extism:host/user warden_call
func wardenCall(cmd, args uint64) uint64

func hostInput() []byte {
	n := extismInputLength()
	buf := make([]byte, n)
	if n == 0 {
		return buf
	}
	if n < 8 {
		// The input is the first block after the kernel's reset, far from the end of its
		// memory, so one 8-byte load replaces up to seven byte loads.
		var pad [8]byte
		binary.LittleEndian.PutUint64(pad[:], extismInputLoadU64(0))
		copy(buf, pad[:n])
		return buf
	}
	var i uint64
	for ; i+8 <= n; i += 8 {
		binary.LittleEndian.PutUint64(buf[i:], extismInputLoadU64(i))
	}
	if i < n {
		// The tail is read as the last 8 bytes, overlapping bytes already copied.
		binary.LittleEndian.PutUint64(buf[n-8:], extismInputLoadU64(n-8))
	}
	return buf
}

// readBlock copies a kernel block into Go memory.
func readBlock(offset uint64) []byte {
	if offset == 0 {
		return nil
	}
	n := extismLength(offset)
	buf := make([]byte, n)
	if n < 8 {
		for i := range n {
			buf[i] = byte(extismLoadU8(offset + i))
		}
		return buf
	}
	var i uint64
	for ; i+8 <= n; i += 8 {
		binary.LittleEndian.PutUint64(buf[i:], extismLoadU64(offset+i))
	}
	if i < n {
		binary.LittleEndian.PutUint64(buf[n-8:], extismLoadU64(offset+n-8))
	}
	return buf
}

// writeBlock allocates a kernel block of exactly len(b) bytes holding b.
func writeBlock(b []byte) uint64 {
	n := uint64(len(b))
	offset := extismAlloc(n)
	storeBytes(offset, b)
	return offset
}

func storeBytes(offset uint64, b []byte) {
	n := uint64(len(b))
	if n < 8 {
		for i := range n {
			extismStoreU8(offset+i, uint32(b[i]))
		}
		return
	}
	var i uint64
	for ; i+8 <= n; i += 8 {
		extismStoreU64(offset+i, binary.LittleEndian.Uint64(b[i:]))
	}
	if i < n {
		extismStoreU64(offset+n-8, binary.LittleEndian.Uint64(b[n-8:]))
	}
}

func hostOutput(b []byte) {
	n := uint64(len(b))
	if n == 0 {
		extismOutputSet(0, 0)
		return
	}
	// The output length is given separately, so a short output gets an 8-byte block and
	// one 8-byte store instead of one host call per byte.
	if n < 8 {
		var pad [8]byte
		copy(pad[:], b)
		offset := extismAlloc(8)
		extismStoreU64(offset, binary.LittleEndian.Uint64(pad[:]))
		extismOutputSet(offset, n)
		return
	}
	extismOutputSet(writeBlock(b), n)
}

func hostSetError(msg string) {
	if msg == "" {
		msg = "error"
	}
	extismErrorSet(writeBlock([]byte(msg)))
}

func hostConfig(key string) (string, bool) {
	k := writeBlock([]byte(key))
	v := extismConfigGet(k)
	extismFree(k)
	if v == 0 {
		return "", false
	}
	b := readBlock(v)
	extismFree(v)
	return string(b), true
}

// writePadded writes b into a block of at least 8 bytes, padding with NULs; warden_call
// strips trailing NULs from its arguments, so short commands cost one store.
func writePadded(b []byte) uint64 {
	if len(b) >= 8 {
		return writeBlock(b)
	}
	var pad [8]byte
	copy(pad[:], b)
	offset := extismAlloc(8)
	extismStoreU64(offset, binary.LittleEndian.Uint64(pad[:]))
	return offset
}

func hostCall(cmd string, args []byte) []byte {
	c := writePadded([]byte(cmd))
	a := writePadded(args)
	r := wardenCall(c, a)
	extismFree(c)
	extismFree(a)
	reply := readBlock(r)
	if r != 0 {
		extismFree(r)
	}
	return reply
}
