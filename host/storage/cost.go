package storage

// How bbolt lays a key out on disk, for Cost.
const (
	// leafElement is bbolt's per-key header in a leaf page.
	leafElement = 16
	// pageShare covers a key's share of page headers and the branch
	// element that points at its leaf page (bbolt puts at least two keys on
	// a page, so one key never carries more than half of these).
	pageShare = 32
)

// cost is what a key of keyLen bytes holding valueLen bytes takes out of a
// plugin's quota: the bytes the key really occupies in the state file, not
// just len(key)+len(value).
//
// The stored element is its 16-byte leaf header plus key and value. On top
// of it comes the page slack: bbolt splits pages half full, so small
// elements can take up to twice their size, and an element too big for one
// page gets overflow pages whose last one can be almost empty (up to one
// page). A copy of the key also sits in the branch page above, with the
// page headers (pageShare). So charging a million one-byte keys costs a
// million times about 70 bytes, close to what bbolt writes, rather than a
// million bytes.
//
// Measured against bucket statistics (see TestQuotaCoversRealSpend), the
// charge is at least the real allocation for keys written in order, in
// random order, and overwritten, from empty values to megabytes.
func cost(pageSize, keyLen, valueLen int) int64 {
	e := int64(leafElement + keyLen + valueLen)
	return e + min(e, int64(pageSize)) + int64(keyLen) + pageShare
}
