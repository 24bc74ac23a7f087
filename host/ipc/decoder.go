package ipc

import (
	"encoding/binary"
	"fmt"
)

// Decoder reassembles frames from bytes read in arbitrary pieces, for a
// reader that must not block (an event loop reading whatever a socket
// holds). It enforces the same limits as [ReadFrame]. Not safe for
// concurrent use.
type Decoder struct {
	buf []byte
	off int
	max int
}

// NewDecoder returns a Decoder refusing frames larger than max (<= 0 means
// MaxFrame).
func NewDecoder(max int) *Decoder {
	if max <= 0 {
		max = MaxFrame
	}
	return &Decoder{max: max}
}

// Write appends p, as read from the stream. It copies p.
func (d *Decoder) Write(p []byte) {
	if d.off > 0 && d.off == len(d.buf) {
		d.buf, d.off = d.buf[:0], 0
	}
	d.buf = append(d.buf, p...)
}

// Next returns the next complete frame, or ok false when more bytes are
// needed. After an error the stream is unusable. Each frame's payload is
// its own copy.
func (d *Decoder) Next() (f Frame, ok bool, err error) {
	b := d.buf[d.off:]
	if len(b) < 4 {
		d.compact()
		return Frame{}, false, nil
	}
	n := binary.BigEndian.Uint32(b[:4])
	if n < 5 {
		return Frame{}, false, fmt.Errorf("%w: length %d", ErrMalformed, n)
	}
	if uint64(n) > uint64(d.max) {
		return Frame{}, false, fmt.Errorf("%w: %d bytes, limit %d", ErrFrameTooLarge, n, d.max)
	}
	if uint64(len(b)-4) < uint64(n) {
		d.compact()
		return Frame{}, false, nil
	}
	f = Frame{Type: Type(b[4]), ID: binary.BigEndian.Uint32(b[5:9])}
	if n > 5 {
		f.Payload = append([]byte(nil), b[9:4+n]...)
	}
	d.off += 4 + int(n)
	return f, true, nil
}

// compact moves a partial frame to the front of the buffer so that the
// buffer does not grow with the stream.
func (d *Decoder) compact() {
	if d.off == 0 {
		return
	}
	n := copy(d.buf, d.buf[d.off:])
	d.buf, d.off = d.buf[:n], 0
}
