package ipc

import (
	"bytes"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
)

func TestFrameRoundTrip(t *testing.T) {
	t.Parallel()
	frames := []Frame{
		{Type: TypeInit, Payload: []byte(`{"plugin_id":"a.b"}`)},
		{Type: TypeInvoke, ID: 7, Payload: []byte("w1.x.y.z.w")},
		{Type: TypeShutdown},
		{Type: TypeReply, ID: 1<<32 - 1, Payload: bytes.Repeat([]byte("x"), 100000)},
	}
	var buf bytes.Buffer
	for _, f := range frames {
		if err := WriteFrame(&buf, f); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range frames {
		got, err := ReadFrame(&buf, 0)
		if err != nil || got.Type != want.Type || got.ID != want.ID || !bytes.Equal(got.Payload, want.Payload) {
			t.Fatalf("read %v/%d (%v), want %v/%d", got.Type, got.ID, err, want.Type, want.ID)
		}
	}
	if _, err := ReadFrame(&buf, 0); err != io.EOF {
		t.Fatalf("at end: %v, want io.EOF", err)
	}
}

func TestReadFrameRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   []byte
		max  int
		want error
	}{
		{"length too small", []byte{0, 0, 0, 4, 1, 0, 0, 0}, 0, ErrMalformed},
		{"length over limit", []byte{0, 0, 1, 0, 1, 0, 0, 0, 0}, 100, ErrFrameTooLarge},
		{"huge length is refused before reading", []byte{0xff, 0xff, 0xff, 0xff}, 0, ErrFrameTooLarge},
		{"truncated header", []byte{0, 0, 0, 9, 1, 0}, 0, io.ErrUnexpectedEOF},
		{"truncated payload", []byte{0, 0, 0, 9, 1, 0, 0, 0, 0, 'a'}, 0, io.ErrUnexpectedEOF},
		{"truncated length", []byte{0, 0}, 0, io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadFrame(bytes.NewReader(tt.in), tt.max)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestWriteFrameTooLarge(t *testing.T) {
	t.Parallel()
	err := WriteFrame(io.Discard, Frame{Type: TypeReply, Payload: make([]byte, MaxFrame)})
	if !errors.Is(err, ErrFrameTooLarge) {
		t.Fatalf("got %v", err)
	}
}

// TestConnConcurrentSend checks that frames sent from many goroutines
// arrive whole.
func TestConnConcurrentSend(t *testing.T) {
	t.Parallel()
	a, b := net.Pipe()
	ca, cb := NewConn(a, 0), NewConn(b, 0)
	defer ca.Close()
	defer cb.Close()
	const senders, each = 8, 50
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			for i := range each {
				if err := ca.Send(Frame{Type: TypeInvoke, ID: uint32(s*each + i), Payload: bytes.Repeat([]byte{byte(s)}, 1000+i)}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	seen := map[uint32]bool{}
	for range senders * each {
		f, err := cb.Recv()
		if err != nil {
			t.Fatal(err)
		}
		s, i := f.ID/each, f.ID%each
		if len(f.Payload) != 1000+int(i) || f.Payload[0] != byte(s) || seen[f.ID] {
			t.Fatalf("frame %d garbled or repeated", f.ID)
		}
		seen[f.ID] = true
	}
	wg.Wait()
}

func FuzzReadFrame(f *testing.F) {
	f.Add(AppendFrame(nil, Frame{Type: TypeInvoke, ID: 3, Payload: []byte("w1.a.b.c.d")}))
	f.Add([]byte{0, 0, 0, 5, 10, 0, 0, 0, 1})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := ReadFrame(bytes.NewReader(data), 1<<16)
		if err != nil {
			return
		}
		// Whatever was accepted re-encodes to the bytes it came from.
		if got := AppendFrame(nil, fr); !bytes.Equal(got, data[:len(got)]) {
			t.Fatalf("re-encoded %x, read from %x", got, data)
		}
	})
}
