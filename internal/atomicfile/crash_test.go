package atomicfile

import (
	"bufio"
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/helperproc"
)

func TestMain(m *testing.M) {
	helperproc.Roles{"writer": writer}.Dispatch()
	os.Exit(m.Run())
}

// crashSize is the size of every version the writer writes.
const crashSize = 1 << 20

// version returns version n of the writer's file: crashSize bytes of one
// letter.
func version(n int) []byte { return bytes.Repeat([]byte{'a' + byte(n%26)}, crashSize) }

// writer replaces os.Args[1] with version after version, 64 KiB at a
// time, until it is killed; it prints a line after the first.
func writer() int {
	path := os.Args[1]
	for n := 1; ; n++ {
		data := version(n)
		err := Write(path, 0o644, func(f *os.File) error {
			for rest := data; len(rest) > 0; rest = rest[64<<10:] {
				if _, err := f.Write(rest[:64<<10]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			return 1
		}
		if n == 1 {
			os.Stdout.WriteString("ready\n")
		}
	}
}

// TestKilledWriterLeavesWholeFile kills a writer at random points: the
// file is always one whole version, never a mix or a truncated one. (A
// kill leaves the temporary file of the write it interrupted; only the
// target's content is promised.)
func TestKilledWriterLeavesWholeFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state")
	if err := WriteFile(path, version(0), 0o644); err != nil {
		t.Fatal(err)
	}
	for i := range 8 {
		cmd := helperproc.Command("writer", path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "ready\n" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("writer said %q, %v", line, err)
		}
		time.Sleep(time.Duration(rand.IntN(20)) * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != crashSize || bytes.Count(got, got[:1]) != crashSize {
			t.Fatalf("kill %d left %d bytes starting %q: not one whole version", i, len(got), got[:min(len(got), 8)])
		}
	}
}
