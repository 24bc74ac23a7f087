package bundle

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// mutableReader is a ReaderAt over a slice the test may change after Read.
type mutableReader struct{ data []byte }

func (m *mutableReader) ReadAt(p []byte, off int64) (int, error) {
	return bytes.NewReader(m.data).ReadAt(p, off)
}

func TestExtractRefusesNonEmptyDir(t *testing.T) {
	t.Parallel()
	b, err := readBytes(validBundle(t, nil), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "keep"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := b.Extract(t.Context(), dir); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("Extract into a non-empty dir = %v, want ErrNotEmpty", err)
	}
	if err := b.Extract(t.Context(), filepath.Join(dir, "missing")); err == nil {
		t.Fatal("Extract into a missing dir succeeded")
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "keep")); string(data) != "x" {
		t.Fatal("Extract touched an existing file")
	}
}

// TestExtractRehashes changes an entry's stored bytes after Read: Extract
// must notice and leave the directory empty.
func TestExtractRehashes(t *testing.T) {
	t.Parallel()
	files := testFiles()
	for i := range files {
		files[i].store = true
	}
	data := craft(t, files, listFor(files), nil)
	m := &mutableReader{data: data}
	b, err := Read(m, int64(len(data)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(m.data, []byte("console.log('hi')"))
	if at < 0 {
		t.Fatal("stored content not found")
	}
	m.data[at] = 'C'
	dir := t.TempDir()
	err = b.Extract(t.Context(), dir)
	if err == nil {
		t.Fatal("Extract of a changed file succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed Extract left %d entries behind", len(entries))
	}
}

func TestExtractCancelled(t *testing.T) {
	t.Parallel()
	b, err := readBytes(validBundle(t, nil), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	dir := t.TempDir()
	if err := b.Extract(ctx, dir); !errors.Is(err, context.Canceled) {
		t.Fatalf("Extract = %v, want context.Canceled", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("cancelled Extract left %d entries behind", len(entries))
	}
}

func TestExtractUnsignedHasNoSignatureFile(t *testing.T) {
	t.Parallel()
	b, err := readBytes(validBundle(t, nil), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := b.Extract(t.Context(), dir); err != nil {
		t.Fatal(err)
	}
	got := tree(t, dir)
	if _, ok := got[SignatureName]; ok {
		t.Error("unsigned bundle extracted a signature")
	}
	for _, f := range testFiles() {
		if !bytes.Equal(got[f.name], f.data) {
			t.Errorf("%s: extracted %q, want %q", f.name, got[f.name], f.data)
		}
	}
}
