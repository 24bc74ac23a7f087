package ipc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"runtime"
	"testing"
)

// countingRWC is an in-memory peer that counts the bytes the reader took.
type countingRWC struct {
	r    io.Reader
	read int64
}

func (c *countingRWC) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += int64(n)
	return n, err
}
func (c *countingRWC) Write(p []byte) (int, error) { return len(p), nil }
func (c *countingRWC) Close() error                { return nil }

// header is a frame header announcing a payload of size bytes.
func header(t Type, id uint32, size int) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(5+size))
	b = append(b, byte(t))
	return binary.BigEndian.AppendUint32(b, id)
}

// hugeBody stands for the 100 MB the attacker would send after a header:
// it yields zeros without end, so bytes read show how much was taken.
type hugeBody struct{}

func (hugeBody) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestRecvRefusesOversizeFromHeader: a peer announcing a 100 MB frame is
// refused from the header alone, its payload unread; one over a type's
// limit but within the connection's maximum is skipped without being held
// and the next frame is read normally.
func TestRecvRefusesOversizeFromHeader(t *testing.T) {
	t.Run("over the maximum", func(t *testing.T) {
		peer := &countingRWC{r: io.MultiReader(bytes.NewReader(header(TypeInvoke, 7, 100<<20)), hugeBody{})}
		c := NewConn(peer, 0)
		c.SetTypeLimit(TypeInvoke, 1<<20)
		_, err := c.Recv()
		var tl *TooLargeError
		if !errors.As(err, &tl) || !errors.Is(err, ErrFrameTooLarge) {
			t.Fatalf("Recv = %v, want a TooLargeError", err)
		}
		if tl.ID != 7 || tl.Type != TypeInvoke || tl.Size != 100<<20 || tl.Skipped {
			t.Fatalf("refusal %+v", tl)
		}
		// The read-ahead buffer is all that may have been taken.
		if peer.read > readBufferSize {
			t.Fatalf("read %d bytes of a refused 100 MB frame", peer.read)
		}
	})
	t.Run("over the type limit", func(t *testing.T) {
		var stream []byte
		stream = append(stream, header(TypeInvoke, 1, 3<<20)...)
		stream = append(stream, make([]byte, 3<<20)...)
		stream = AppendFrame(stream, Frame{Type: TypeInvoke, ID: 2, Payload: []byte("next")})
		stream = AppendFrame(stream, Frame{Type: TypeLog, ID: 3, Payload: make([]byte, 2<<20)})
		c := NewConn(&countingRWC{r: bytes.NewReader(stream)}, 0)
		c.SetTypeLimit(TypeInvoke, 1<<20)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := c.Recv()
		runtime.ReadMemStats(&after)
		if n := after.TotalAlloc - before.TotalAlloc; n > 256<<10 {
			t.Fatalf("refusing a 3 MB frame allocated %d bytes", n)
		}
		var tl *TooLargeError
		if !errors.As(err, &tl) || !tl.Skipped || tl.ID != 1 || tl.Limit != 1<<20 {
			t.Fatalf("Recv = %v, want a skipped refusal of frame 1", err)
		}
		f, err := c.Recv()
		if err != nil || f.ID != 2 || string(f.Payload) != "next" {
			t.Fatalf("frame after the skipped one: %v %+v", err, f)
		}
		// Other types keep the connection's maximum.
		if f, err := c.Recv(); err != nil || f.Type != TypeLog || len(f.Payload) != 2<<20 {
			t.Fatalf("log frame: %v", err)
		}
	})
	t.Run("malformed length", func(t *testing.T) {
		c := NewConn(&countingRWC{r: bytes.NewReader([]byte{0, 0, 0, 4, 1, 0, 0, 0})}, 0)
		if _, err := c.Recv(); !errors.Is(err, ErrMalformed) {
			t.Fatalf("Recv = %v, want ErrMalformed", err)
		}
	})
}

// TestSendDropsLargeBuffer: after a large frame the connection does not
// keep a buffer of that size.
func TestSendDropsLargeBuffer(t *testing.T) {
	t.Parallel()
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	c := NewConn(a, 0)
	go io.Copy(io.Discard, b)
	if err := c.Send(Frame{Type: TypeReply, Payload: make([]byte, 4<<20)}); err != nil {
		t.Fatal(err)
	}
	if cap(c.buf) > keepSendBuffer {
		t.Fatalf("send buffer of %d bytes kept", cap(c.buf))
	}
	if err := c.Send(Frame{Type: TypeReply, Payload: []byte("small")}); err != nil {
		t.Fatal(err)
	}
	if cap(c.buf) == 0 {
		t.Fatal("small send buffer not reused")
	}
}

// FuzzConnRecv: whatever a peer sends, Recv never returns a payload over
// the limits, and a frame it accepts is the one ReadFrame reads.
func FuzzConnRecv(f *testing.F) {
	f.Add(AppendFrame(nil, Frame{Type: TypeInvoke, ID: 3, Payload: []byte("w2.a.b.c.d")}))
	f.Add(append(header(TypeInvoke, 1, 300), make([]byte, 300)...))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 3, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		const max, invokeMax = 1 << 16, 100
		c := NewConn(&countingRWC{r: bytes.NewReader(data)}, max)
		c.SetTypeLimit(TypeInvoke, invokeMax)
		r := bytes.NewReader(data)
		for {
			got, err := c.Recv()
			if err != nil {
				var tl *TooLargeError
				if errors.As(err, &tl) && tl.Skipped {
					// ReadFrame takes the same frame whole.
					if _, werr := ReadFrame(r, max); werr != nil {
						t.Fatalf("skipped a frame ReadFrame refuses: %v", werr)
					}
					continue
				}
				return
			}
			if len(got.Payload) > max || (got.Type == TypeInvoke && len(got.Payload) > invokeMax) {
				t.Fatalf("%s payload of %d bytes accepted", got.Type, len(got.Payload))
			}
			want, werr := ReadFrame(r, max)
			if werr != nil || want.Type != got.Type || want.ID != got.ID || !bytes.Equal(want.Payload, got.Payload) {
				t.Fatalf("Recv and ReadFrame disagree (%v)", werr)
			}
		}
	})
}
