package bundle

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
)

// Zip record signatures and fixed sizes.
const (
	eocdSig         = 0x06054b50
	eocdLen         = 22
	zip64LocatorSig = 0x07064b50
	zip64LocatorLen = 20
	dirHeaderSig    = 0x02014b50
	dirHeaderLen    = 46
)

// checkDirectory inspects the end of central directory record and counts
// the central directory's headers before archive/zip parses them, so that a
// crafted directory cannot make it allocate millions of entries. It accepts
// only the layout Warden writes: no archive comment, no zip64, one disk, and
// the directory ending exactly where the end record starts.
func checkDirectory(r io.ReaderAt, size int64, lim Limits) error {
	if size < eocdLen {
		return fmt.Errorf("%w: %d bytes is too short for a zip file", ErrMalformed, size)
	}
	var end [eocdLen]byte
	if _, err := r.ReadAt(end[:], size-eocdLen); err != nil {
		return fmt.Errorf("%w: read end of central directory: %v", ErrMalformed, err)
	}
	le := binary.LittleEndian
	if le.Uint32(end[0:]) != eocdSig {
		return fmt.Errorf("%w: no zip end record at the end of the file (not a zip, or trailing data or an archive comment)", ErrMalformed)
	}
	disk, dirDisk := le.Uint16(end[4:]), le.Uint16(end[6:])
	recordsHere, records := le.Uint16(end[8:]), le.Uint16(end[10:])
	dirSize, dirOffset := int64(le.Uint32(end[12:])), int64(le.Uint32(end[16:]))
	if disk != 0 || dirDisk != 0 || recordsHere != records {
		return fmt.Errorf("%w: multi-disk zip files are not bundles", ErrMalformed)
	}
	if records == 0xffff || dirOffset == 0xffffffff {
		return fmt.Errorf("%w: zip64 files are not bundles", ErrMalformed)
	}
	if size >= eocdLen+zip64LocatorLen {
		var loc [4]byte
		if _, err := r.ReadAt(loc[:], size-eocdLen-zip64LocatorLen); err == nil && le.Uint32(loc[:]) == zip64LocatorSig {
			return fmt.Errorf("%w: zip64 files are not bundles", ErrMalformed)
		}
	}
	if int(records) > lim.MaxEntries {
		return fmt.Errorf("%w: the zip lists %d entries, more than the %d allowed", ErrTooManyEntries, records, lim.MaxEntries)
	}
	if dirOffset+dirSize != size-eocdLen {
		return fmt.Errorf("%w: the central directory (offset %d, %d bytes) does not end where the end record starts (%d)", ErrMalformed, dirOffset, dirSize, size-eocdLen)
	}
	br := bufio.NewReader(io.NewSectionReader(r, dirOffset, dirSize))
	var hdr [dirHeaderLen]byte
	count := 0
	for pos := int64(0); pos < dirSize; count++ {
		if count >= lim.MaxEntries {
			return fmt.Errorf("%w: the central directory holds more than the %d entries allowed", ErrTooManyEntries, lim.MaxEntries)
		}
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			return fmt.Errorf("%w: central directory header %d is truncated", ErrMalformed, count+1)
		}
		if le.Uint32(hdr[:]) != dirHeaderSig {
			return fmt.Errorf("%w: central directory header %d has a bad signature", ErrMalformed, count+1)
		}
		vary := int64(le.Uint16(hdr[28:])) + int64(le.Uint16(hdr[30:])) + int64(le.Uint16(hdr[32:]))
		if _, err := br.Discard(int(vary)); err != nil {
			return fmt.Errorf("%w: central directory header %d is truncated", ErrMalformed, count+1)
		}
		pos += dirHeaderLen + vary
		if pos > dirSize {
			return fmt.Errorf("%w: central directory header %d runs past the directory", ErrMalformed, count+1)
		}
	}
	if count != int(records) {
		return fmt.Errorf("%w: the end record counts %d entries, the directory holds %d", ErrMalformed, records, count)
	}
	return nil
}
