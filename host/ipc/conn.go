package ipc

import (
	"bufio"
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
	mu  sync.Mutex
	buf []byte
}

// NewConn wraps rw. Frames larger than max (<= 0 means MaxFrame) are
// refused by Recv.
func NewConn(rw io.ReadWriteCloser, max int) *Conn {
	return &Conn{rw: rw, r: bufio.NewReaderSize(rw, 64<<10), max: max}
}

// Send writes one frame. It reuses one buffer across calls, so a send
// costs one write system call and no allocation in the steady state.
func (c *Conn) Send(f Frame) error {
	if 5+len(f.Payload) > MaxFrame {
		return WriteFrame(c.rw, f) // reports ErrFrameTooLarge
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf = AppendFrame(c.buf[:0], f)
	_, err := c.rw.Write(c.buf)
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
	c.buf = AppendFrame(c.buf[:0], f)
	_, err := c.rw.Write(c.buf)
	return err
}

// Recv reads the next frame.
func (c *Conn) Recv() (Frame, error) { return ReadFrame(c.r, c.max) }

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
