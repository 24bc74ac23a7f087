package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/host/audit"
	"github.com/wardenhq/warden/host/window"
	"github.com/wardenhq/warden/internal/proctree"
)

// The webview benchmarks run the hello example in a real WebKitGTK window
// (this test binary re-executed as the webview process) and time everything
// on the Go side with the monotonic clock: performance.now() ticks in 1 ms
// steps in WebKitGTK. Results go to bench/RESULTS.md (bench/run.sh).

// benchUI opens the hello example with limits that do not throttle a
// benchmark.
func benchUI(b *testing.B, opts window.Options) (*host.Host, *host.Plugin, *window.Window) {
	b.Helper()
	needDisplay(b)
	h := e2eHost(b, host.Options{Limits: host.Limits{Rate: -1, MaxInFlight: 1024}})
	p, ui := openPlugin(b, h, example(b, "hello"), nil, opts)
	return h, p, ui
}

// BenchmarkInvokeRoundTrip is a full warden.invoke("backend.greet") from the
// page: bridge, isolation iframe, hook, ChaCha20-Poly1305 seal, the web
// extension's channel to the core, core (open, decide, audit), WASM, and
// back. The page awaits each invoke before the next, so the gap between two
// consecutive audit entries (stamped by the core with its monotonic clock)
// is one full round trip; reported as the median and 99th percentile.
func BenchmarkInvokeRoundTrip(b *testing.B) {
	benchRoundTrip(b, uiOptions())
}

// BenchmarkInvokeRoundTripRelayed is BenchmarkInvokeRoundTrip with the
// webview process relaying envelopes (native handler, webview process,
// core), as when the web extension is not installed.
func BenchmarkInvokeRoundTripRelayed(b *testing.B) {
	opts := uiOptions()
	opts.NoChannel = true
	benchRoundTrip(b, opts)
}

func benchRoundTrip(b *testing.B, opts window.Options) {
	h, p, ui := benchUI(b, opts)
	n := max(b.N, 2)
	b.ResetTimer()
	if _, err := ui.Eval(context.Background(), fmt.Sprintf(`for (let i = 0; i < %d; i++) await warden.invoke("backend.greet", "bench"); return true;`, n+1)); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	gaps := roundTrips(b, h.Audit(), p.ID(), n)
	b.ReportMetric(float64(gaps[len(gaps)/2].Nanoseconds()), "median-ns/invoke")
	b.ReportMetric(float64(gaps[len(gaps)*99/100].Nanoseconds()), "p99-ns/invoke")
}

// roundTrips returns, sorted, the gaps between consecutive backend.greet
// entries among plugin's last n+1 audit entries: the round trips of a page
// that awaits one invoke after the other.
func roundTrips(b *testing.B, log *audit.Log, plugin string, n int) []time.Duration {
	b.Helper()
	es, err := log.Query(context.Background(), audit.Filter{Plugin: plugin, Limit: n + 1})
	if err != nil {
		b.Fatal(err)
	}
	var gaps []time.Duration
	for i := 0; i+1 < len(es); i++ { // newest first
		if es[i].Cmd == "backend.greet" && es[i+1].Cmd == "backend.greet" {
			gaps = append(gaps, es[i].Time.Sub(es[i+1].Time))
		}
	}
	if len(gaps) < n/2 {
		b.Fatalf("only %d round trips measured", len(gaps))
	}
	slices.Sort(gaps)
	return gaps
}

// BenchmarkInvokeThroughput keeps 32 invokes of backend.greet in flight
// from the page and reports completed invokes per second, timed around the
// whole run on the Go side, and the CPU time each invoke cost the core (this
// process) and the window's processes (/proc/PID/stat, 10 ms ticks: run
// thousands). On two cores the two together bound the throughput.
func BenchmarkInvokeThroughput(b *testing.B) {
	_, _, ui := benchUI(b, uiOptions())
	n := max(b.N, 32)
	js := fmt.Sprintf(`
		let left = %d;
		async function worker() { while (left-- > 0) await warden.invoke("backend.greet", "bench"); }
		await Promise.all(Array.from({length: 32}, worker));
		return true;`, n)
	b.ResetTimer()
	core0, page0 := proctree.SplitCPU(os.Getpid())
	start := time.Now()
	if _, err := ui.Eval(context.Background(), js); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "invokes/s")
	core1, page1 := proctree.SplitCPU(os.Getpid())
	b.ReportMetric(float64((core1-core0).Microseconds())/float64(n), "core-cpu-us/invoke")
	b.ReportMetric(float64((page1-page0).Microseconds())/float64(n), "page-cpu-us/invoke")
}

// BenchmarkColdStart measures a plugin window from spawning its webview
// process to its page having loaded, and then the proportional memory (Pss
// from /proc/PID/smaps_rollup) of that process and every process it
// started (WebKit's web and network processes, their sandbox wrappers).
// It starts at most coldStarts windows whatever b.N is, so that it can share
// one -benchtime with the invoke benchmarks in a single run.
func BenchmarkColdStart(b *testing.B) { benchColdStart(b, false) }

// BenchmarkColdStartSpare is BenchmarkColdStart with a spare webview
// process ready (window.Options.Spare): the window opens in it. Pss is
// the window's processes', the next spare's not included.
func BenchmarkColdStartSpare(b *testing.B) { benchColdStart(b, true) }

func benchColdStart(b *testing.B, spare bool) {
	needDisplay(b)
	var starts []time.Duration
	var pss []int64
	opts := uiOptions()
	opts.Spare = spare
	for range min(b.N, coldStarts) {
		h, err := host.New(context.Background(), host.Options{Profile: b.TempDir(), Logger: quietLog})
		if err != nil {
			b.Fatal(err)
		}
		p, err := h.Load(context.Background(), example(b, "hello"), host.LoadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if spare {
			windowsOf(h).PrepareSpare(opts)
			for windowsOf(h).SparePID() == 0 {
				time.Sleep(5 * time.Millisecond)
			}
			time.Sleep(500 * time.Millisecond) // it has started GTK and waits
		}
		start := time.Now()
		ui, err := windowsOf(h).Open(context.Background(), p, opts)
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err = ui.WaitReady(ctx)
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		starts = append(starts, time.Since(start))
		// Memory after the page has settled: one greet, then a short pause.
		if _, err := ui.Eval(context.Background(), `return await warden.invoke("backend.greet", "mem")`); err != nil {
			b.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		pss = append(pss, treePss(ui.PID()))
		h.Close(context.Background())
	}
	slices.Sort(starts)
	slices.Sort(pss)
	b.ReportMetric(float64(starts[len(starts)/2].Nanoseconds()), "median-ns/start")
	b.ReportMetric(float64(pss[len(pss)/2])/1024, "Pss-MB")
}

// coldStarts bounds the windows BenchmarkColdStart opens per run.
const coldStarts = 5

// treePss sums Pss (kB) over pid and its descendants.
func treePss(pid int) int64 {
	var total int64
	for _, p := range append([]int{pid}, proctree.Descendants(pid)...) {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(p) + "/smaps_rollup")
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "Pss:" {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				total += kb
			}
		}
	}
	return total
}
