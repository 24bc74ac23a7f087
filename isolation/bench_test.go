package isolation

import (
	"context"
	"encoding/json"
	"os/exec"
	"testing"
	"time"
)

// benchRequest is a typical small invoke: about 100 bytes of plaintext.
var benchRequest = Request{ID: 42, Cmd: "storage.get", Args: json.RawMessage(`{"key":"settings.theme","default":"dark","scope":"local"}`)}

func BenchmarkOpen(b *testing.B) {
	key := newTestKey(b)
	// A fresh Opener per batch lets the same envelopes be opened again
	// without replay errors; its setup is amortised over the batch.
	const batch = 1 << 12
	envs := make([][]byte, batch)
	for i := range envs {
		r := benchRequest
		r.Seq = uint64(i + 1)
		envs[i] = mustSeal(b, key, testPlugin, testLaunch, r)
	}
	b.SetBytes(int64(len(envs[0])))
	var o *Opener
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%batch == 0 {
			o = NewOpener(key, testPlugin, testLaunch, 0)
		}
		if _, err := o.Open(envs[i%batch]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSeal(b *testing.B) {
	key := newTestKey(b)
	r := benchRequest
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r.Seq = uint64(i + 1)
		if _, err := Seal(key, testPlugin, testLaunch, r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNodeSeal runs testdata/bench.js, the isolation frame under Node
// taking a request of about 100 bytes from its message event to send, and
// reports the figures Node measures: ns/op is wall time per request,
// cpu-ns/op CPU time per request. Each iteration is one Node run of 20000
// requests after a warm-up, so the Go-side time would only measure Node's
// start-up and is replaced.
func BenchmarkNodeSeal(b *testing.B) {
	node, err := exec.LookPath("node")
	if err != nil {
		b.Skip("node is not installed")
	}
	var wall, cpu float64
	for i := 0; i < b.N; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		out, err := exec.CommandContext(ctx, node, "testdata/bench.js", "20000").Output()
		cancel()
		if err != nil {
			b.Fatalf("node testdata/bench.js: %v", err)
		}
		var r struct {
			PlaintextBytes  int     `json:"plaintextBytes"`
			UsPerRequest    float64 `json:"usPerRequest"`
			CPUUsPerRequest float64 `json:"cpuUsPerRequest"`
		}
		if err := json.Unmarshal(out, &r); err != nil {
			b.Fatalf("bench.js output %q: %v", out, err)
		}
		if r.PlaintextBytes < 90 || r.PlaintextBytes > 130 {
			b.Fatalf("benchmark request has %d bytes of plaintext, want about 100", r.PlaintextBytes)
		}
		wall += r.UsPerRequest * 1000
		cpu += r.CPUUsPerRequest * 1000
	}
	b.ReportMetric(wall/float64(b.N), "ns/op")
	b.ReportMetric(cpu/float64(b.N), "cpu-ns/op")
}
