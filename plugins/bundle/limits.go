package bundle

// Limits bound what [Read] accepts. A zero field means the value in
// DefaultLimits.
type Limits struct {
	// MaxEntries bounds the zip's entries, Warden's own included. Values
	// above 65535 are treated as 65535: bundles are never zip64.
	MaxEntries int
	// MaxTotalSize bounds the sum of the entries' uncompressed sizes, in
	// bytes; the bundle file itself may be slightly larger (zip overhead).
	MaxTotalSize int64
	// MaxRatio bounds uncompressed/compressed size per entry, for entries
	// larger than RatioMinSize.
	MaxRatio int64
	// RatioMinSize is the uncompressed size in bytes above which MaxRatio
	// applies. Small files (a page of zeros, a blank JSON) may compress far
	// better than 100:1 without being a threat.
	RatioMinSize int64
}

// DefaultLimits suit plugins: 10,000 entries, 256 MiB uncompressed in
// total, and no entry over 1 MiB expanding more than 100 times (deflate
// reaches about 1000:1 on zeros; real UI files and wasm stay under 20:1).
var DefaultLimits = Limits{
	MaxEntries:   10_000,
	MaxTotalSize: 256 << 20,
	MaxRatio:     100,
	RatioMinSize: 1 << 20,
}

// withDefaults fills zero fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	if l.MaxEntries <= 0 {
		l.MaxEntries = DefaultLimits.MaxEntries
	}
	l.MaxEntries = min(l.MaxEntries, 0xffff)
	if l.MaxTotalSize <= 0 {
		l.MaxTotalSize = DefaultLimits.MaxTotalSize
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = DefaultLimits.MaxRatio
	}
	if l.RatioMinSize <= 0 {
		l.RatioMinSize = DefaultLimits.RatioMinSize
	}
	return l
}

// maxFileSize is the largest bundle file accepted: the entries' content,
// deflate's worst-case growth and the zip headers of MaxEntries entries.
func (l Limits) maxFileSize() int64 {
	return l.MaxTotalSize + l.MaxTotalSize/64 + int64(l.MaxEntries)*(2*(MaxNameLen+256))
}
