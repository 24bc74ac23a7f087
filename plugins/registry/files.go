package registry

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"

	"github.com/wardenhq/warden/internal/atomicfile"
)

// copyAtomic copies src to dst atomically and durably, hashing what it
// copies; the copy is renamed into place only when its SHA-256 is want,
// so that a source changed since it was checked is never published.
func copyAtomic(ctx context.Context, src, dst string, want [sha256.Size]byte) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return atomicfile.Write(dst, 0o644, func(f *os.File) error {
		h := sha256.New()
		if _, err := io.Copy(io.MultiWriter(f, h), ctxReader{ctx, in}); err != nil {
			return err
		}
		if got := h.Sum(nil); string(got) != string(want[:]) {
			return fmt.Errorf("%s changed while it was being added (sha256 %x, checked %x); add it again", src, got, want)
		}
		return nil
	})
}

// hashFile returns the SHA-256 of the file at path.
func hashFile(path string) ([sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	f, err := os.Open(path)
	if err != nil {
		return sum, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return sum, err
	}
	copy(sum[:], h.Sum(nil))
	return sum, nil
}

// ctxReader stops a copy when its context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
