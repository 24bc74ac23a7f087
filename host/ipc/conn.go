package ipc

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"sync"
	"syscall"
	"time"
)

// Conn is one end of the core<->webview channel. Send is safe for
// concurrent use; Recv must be called from one goroutine.
type Conn struct {
	rw  io.ReadWriteCloser
	r   *bufio.Reader
	max int
	// typeMax holds per-type payload bounds below max (0: none); set before
	// the first Recv.
	typeMax map[Type]int
	mu      sync.Mutex
	buf     []byte
}

// NewConn wraps rw. Frames larger than max (<= 0 means MaxFrame) are
// refused by Recv.
func NewConn(rw io.ReadWriteCloser, max int) *Conn {
	if max <= 0 {
		max = MaxFrame
	}
	return &Conn{rw: rw, r: bufio.NewReaderSize(rw, readBufferSize), max: max}
}

// readBufferSize is the read-ahead buffer; it is also the most memory a
// skipped payload passes through.
const readBufferSize = 64 << 10

// keepSendBuffer is the largest send buffer kept between sends: one large
// reply must not pin megabytes for the life of the connection.
const keepSendBuffer = 64 << 10

// SetTypeLimit makes Recv refuse frames of type t whose payload exceeds
// max bytes, deciding from the header alone: see [TooLargeError]. It must
// be called before Recv is first called (it is not synchronised with it).
func (c *Conn) SetTypeLimit(t Type, max int) {
	if c.typeMax == nil {
		c.typeMax = map[Type]int{}
	}
	c.typeMax[t] = max
}

// TooLargeError is Recv's refusal of a frame over a limit, decided from its
// header (length, type, id) before any of its payload is read, so the peer
// cannot make the reader allocate it. It matches [ErrFrameTooLarge].
//
// When Skipped is true the frame was over a type's limit but within the
// connection's maximum: its payload was discarded through the read buffer
// (never held whole) and the connection can go on. Otherwise the payload
// is still unread, the stream cannot be resynchronised, and the caller
// must close the connection.
type TooLargeError struct {
	Type Type
	// ID is the frame's correlation id, so the caller can answer it.
	ID uint32
	// Size is the payload size the header announced; Limit the bound.
	Size, Limit int
	Skipped     bool
}

// Error says what was refused and the bound.
func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s frame of %d bytes refused, limit %d", e.Type, e.Size, e.Limit)
}

// Is makes errors.Is(err, ErrFrameTooLarge) hold.
func (e *TooLargeError) Is(target error) bool { return target == ErrFrameTooLarge }

// Send writes one frame. It reuses one buffer across calls, so a send
// costs one write system call and no allocation in the steady state.
func (c *Conn) Send(f Frame) error {
	if 5+len(f.Payload) > MaxFrame {
		return WriteFrame(c.rw, f) // reports ErrFrameTooLarge
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.writeLocked(f)
}

// writeLocked writes f through the reused buffer; c.mu is held.
func (c *Conn) writeLocked(f Frame) error {
	c.buf = AppendFrame(c.buf[:0], f)
	_, err := c.rw.Write(c.buf)
	if cap(c.buf) > keepSendBuffer {
		c.buf = nil
	}
	return err
}

// SendWithin is Send bounded by d when the connection supports write
// deadlines (a socket does; a pipe in tests may not): a peer that stops
// reading makes it fail with os.ErrDeadlineExceeded instead of blocking.
// Senders queue behind one another, each bounded while it writes.
func (c *Conn) SendWithin(f Frame, d time.Duration) error {
	dl, ok := c.rw.(interface{ SetWriteDeadline(time.Time) error })
	if !ok || 5+len(f.Payload) > MaxFrame {
		return c.Send(f)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := dl.SetWriteDeadline(time.Now().Add(d)); err != nil {
		return err
	}
	defer dl.SetWriteDeadline(time.Time{})
	return c.writeLocked(f)
}

// Recv reads the next frame. A frame over the connection's maximum or its
// type's limit is refused from its header with a *[TooLargeError]; a
// length too short for a header is [ErrMalformed].
func (c *Conn) Recv() (Frame, error) {
	var hdr [headerSize]byte
	if _, err := io.ReadFull(c.r, hdr[:4]); err != nil {
		return Frame{}, err
	}
	n := binary.BigEndian.Uint32(hdr[:4])
	if n < 5 {
		return Frame{}, fmt.Errorf("%w: length %d", ErrMalformed, n)
	}
	if _, err := io.ReadFull(c.r, hdr[4:]); err != nil {
		return Frame{}, noEOF(err)
	}
	f := Frame{Type: Type(hdr[4]), ID: binary.BigEndian.Uint32(hdr[5:9])}
	size := int64(n) - 5
	if int64(n) > int64(c.max) {
		return Frame{}, &TooLargeError{Type: f.Type, ID: f.ID, Size: int(size), Limit: c.max - 5}
	}
	if lim, ok := c.typeMax[f.Type]; ok && size > int64(lim) {
		// Within the connection's maximum: pass the payload through the
		// read buffer so the stream stays usable, without holding it.
		if _, err := c.r.Discard(int(size)); err != nil {
			return Frame{}, noEOF(err)
		}
		return Frame{}, &TooLargeError{Type: f.Type, ID: f.ID, Size: int(size), Limit: lim, Skipped: true}
	}
	if size > 0 {
		f.Payload = make([]byte, size)
		if _, err := io.ReadFull(c.r, f.Payload); err != nil {
			return Frame{}, noEOF(err)
		}
	}
	return f, nil
}

// Close closes the underlying connection; a blocked Recv returns.
func (c *Conn) Close() error { return c.rw.Close() }

// Buffered removes and returns the bytes Recv has read ahead but not yet
// returned as frames, for a caller that goes on reading the stream itself
// (with a [Decoder]).
func (c *Conn) Buffered() []byte {
	n := c.r.Buffered()
	b, _ := c.r.Peek(n)
	out := append([]byte(nil), b...)
	c.r.Discard(n)
	return out
}

// SyscallConn returns the underlying connection's raw file descriptor
// access, or ok false when it has none (a pipe in tests, say).
func (c *Conn) SyscallConn() (rc syscall.RawConn, ok bool) {
	sc, ok := c.rw.(syscall.Conn)
	if !ok {
		return nil, false
	}
	rc, err := sc.SyscallConn()
	return rc, err == nil
}
