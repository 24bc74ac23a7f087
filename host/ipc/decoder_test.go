package ipc

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// TestDecoderMatchesReadFrame feeds a stream of frames to a Decoder in
// pieces of every size from 1 byte up and checks it yields exactly what
// ReadFrame reads from the same stream.
func TestDecoderMatchesReadFrame(t *testing.T) {
	t.Parallel()
	frames := []Frame{
		{Type: TypeInvoke, ID: 1, Payload: []byte("w2.abc")},
		{Type: TypeReply, ID: 2},
		{Type: TypeEvent, ID: 3, Payload: bytes.Repeat([]byte("x"), 3000)},
		{Type: TypeShutdown},
	}
	var stream []byte
	for _, f := range frames {
		stream = AppendFrame(stream, f)
	}
	for piece := 1; piece <= len(stream); piece += 7 {
		d := NewDecoder(0)
		var got []Frame
		for off := 0; off < len(stream); off += piece {
			d.Write(stream[off:min(off+piece, len(stream))])
			for {
				f, ok, err := d.Next()
				if err != nil {
					t.Fatalf("piece %d: %v", piece, err)
				}
				if !ok {
					break
				}
				got = append(got, f)
			}
		}
		if len(got) != len(frames) {
			t.Fatalf("piece %d: %d frames, want %d", piece, len(got), len(frames))
		}
		for i, f := range got {
			w := frames[i]
			if f.Type != w.Type || f.ID != w.ID || !bytes.Equal(f.Payload, w.Payload) {
				t.Fatalf("piece %d: frame %d = %v %d %q, want %v %d %q", piece, i, f.Type, f.ID, f.Payload, w.Type, w.ID, w.Payload)
			}
		}
	}
}

func TestDecoderLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   []byte
		max  int
		want error
	}{
		{"length below header", []byte{0, 0, 0, 4, 1, 0, 0, 0}, 0, ErrMalformed},
		{"too large", []byte{0, 0, 1, 0, 1}, 100, ErrFrameTooLarge},
		{"over MaxFrame", []byte{0xff, 0xff, 0xff, 0xff}, 0, ErrFrameTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDecoder(tt.max)
			d.Write(tt.in)
			if _, _, err := d.Next(); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

// FuzzDecoder checks that the Decoder, fed any bytes in two pieces, agrees
// with ReadFrame: same frames, and an error exactly where ReadFrame fails
// on something other than running out of input.
func FuzzDecoder(f *testing.F) {
	f.Add(AppendFrame(nil, Frame{Type: TypeInvoke, ID: 7, Payload: []byte("w2.x")}), 3)
	f.Add([]byte{0, 0, 0, 5, 4, 0, 0, 0, 1, 0, 0}, 1)
	f.Fuzz(func(t *testing.T, data []byte, split int) {
		const limit = 1 << 16
		d := NewDecoder(limit)
		split = min(max(split, 0), len(data))
		d.Write(data[:split])
		d.Write(data[split:])
		r := bytes.NewReader(data)
		for {
			want, werr := ReadFrame(r, limit)
			got, ok, gerr := d.Next()
			if werr != nil {
				if errors.Is(werr, io.EOF) || errors.Is(werr, io.ErrUnexpectedEOF) {
					if ok || gerr != nil {
						t.Fatalf("decoder returned a frame or error (%v) where the stream is incomplete", gerr)
					}
				} else if gerr == nil {
					t.Fatalf("ReadFrame failed (%v) but the decoder did not", werr)
				}
				return
			}
			if gerr != nil || !ok {
				t.Fatalf("decoder: ok=%v err=%v, ReadFrame read a frame", ok, gerr)
			}
			if got.Type != want.Type || got.ID != want.ID || !bytes.Equal(got.Payload, want.Payload) {
				t.Fatal("decoder and ReadFrame disagree")
			}
		}
	})
}
