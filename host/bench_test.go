package host

import (
	"context"
	"runtime"
	"slices"
	"testing"
	"time"
)

// The benchmarks below run in one `go test -bench` run with the floor,
// host/backend's BenchmarkRawExtismCall (see bench/run.sh), so that the
// floor and the mediated paths are measured on the same machine state.
// Results go to bench/RESULTS.md.

// benchHost is a host with limits that do not get in a benchmark's way and
// the hello backend loaded with storage granted.
func benchHost(b *testing.B) (*Host, *Plugin) {
	b.Helper()
	h := newHost(b, Options{Limits: Limits{Rate: -1, MaxInFlight: 1 << 20}})
	p := load(b, h, writeProbe(b, probeManifest{id: "bench.warden.hello", perms: []string{"storage"}}), LoadOptions{Grants: grants("storage")})
	return h, p
}

// BenchmarkInvokeStorageGet is a sealed invoke through the whole mediator to
// storage.get (bbolt read).
func BenchmarkInvokeStorageGet(b *testing.B) {
	h, p := benchHost(b)
	c := launch(b, p)
	if r := h.Invoke(context.Background(), c.l, c.seal(b, "storage.set", map[string]string{"key": "k", "value": "v"})); !r.OK {
		b.Fatal(r.Error)
	}
	benchInvoke(b, h, c, "storage.get", map[string]string{"key": "k"})
}

// BenchmarkInvokeGreet is a sealed invoke through the whole mediator to the
// hello backend's greet export.
func BenchmarkInvokeGreet(b *testing.B) {
	h, p := benchHost(b)
	benchInvoke(b, h, launch(b, p), "backend.greet", "Ada")
}

// benchInvoke times b.N sealed invokes of cmd on c's launch, each reply
// encoded as it goes on the wire.
func benchInvoke(b *testing.B, h *Host, c *client, cmd string, args any) {
	ctx := context.Background()
	envs := sealMany(b, c, b.N, cmd, args)
	var wire []byte
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		r := h.Invoke(ctx, c.l, envs[i])
		if !r.OK {
			b.Fatal(r.Error)
		}
		wire = r.AppendJSON(wire[:0])
	}
}

// BenchmarkMediatorOverhead interleaves a sealed invoke of backend.greet and
// a direct pooled call of the same export, and reports the medians and their
// difference: the mediator's own cost (open, decide, audit, reply).
func BenchmarkMediatorOverhead(b *testing.B) {
	h, p := benchHost(b)
	c := launch(b, p)
	ctx := context.Background()
	envs := sealMany(b, c, b.N, "backend.greet", "Ada")
	in := []byte(`"Ada"`)
	var wire []byte
	inv := make([]time.Duration, 0, b.N)
	raw := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		t0 := time.Now()
		if _, err := p.module.Load().Call(ctx, "greet", in); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		r := h.Invoke(ctx, c.l, envs[i])
		if !r.OK {
			b.Fatal(r.Error)
		}
		wire = r.AppendJSON(wire[:0])
		t2 := time.Now()
		raw = append(raw, t1.Sub(t0))
		inv = append(inv, t2.Sub(t1))
	}
	b.StopTimer()
	mi, mr := median(inv), median(raw)
	b.ReportMetric(float64(mi.Nanoseconds()), "invoke-median-ns")
	b.ReportMetric(float64(mr.Nanoseconds()), "call-median-ns")
	b.ReportMetric(float64((mi - mr).Nanoseconds()), "overhead-ns")
	b.ReportMetric(100*float64(mi-mr)/float64(mr), "overhead-%")
}

// BenchmarkInvokeGreetParallel measures throughput of sealed backend.greet
// invokes with 2 and 8 concurrent callers (each with its own launch, as
// separate webview connections would be).
func BenchmarkInvokeGreetParallel(b *testing.B) {
	for _, callers := range []int{2, 8} {
		b.Run(map[int]string{2: "callers=2", 8: "callers=8"}[callers], func(b *testing.B) {
			h, p := benchHost(b)
			ctx := context.Background()
			par := (callers + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0)
			n := par * runtime.GOMAXPROCS(0) // goroutines RunParallel starts
			clients := make(chan *client, n)
			per := b.N // RunParallel hands out work unevenly: any goroutine may do it all
			envs := make(map[*client][][]byte, n)
			for range n {
				c := launch(b, p)
				envs[c] = sealMany(b, c, per, "backend.greet", "Ada")
				clients <- c
			}
			b.SetParallelism(par)
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				c := <-clients
				mine := envs[c]
				var wire []byte
				i := 0
				for pb.Next() {
					r := h.Invoke(ctx, c.l, mine[i])
					if !r.OK {
						b.Error(r.Error)
						return
					}
					wire = r.AppendJSON(wire[:0])
					i++
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "invokes/s")
		})
	}
}

// sealMany seals n requests ahead of time so that sealing (the isolation
// frame's work) is not counted as the core's.
func sealMany(b *testing.B, c *client, n int, cmd string, args any) [][]byte {
	b.Helper()
	out := make([][]byte, n)
	for i := range out {
		out[i] = c.seal(b, cmd, args)
	}
	return out
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
