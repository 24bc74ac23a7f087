package webview

import (
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/proctree"
)

// BenchmarkHandlerRoundTrip measures the bare WebKitGTK with-reply message
// handler round trip, the floor of every invoke: JavaScript in a script
// world awaits postMessage b.N times, the Go handler replies at once, and
// Go times the arrivals with its monotonic clock (performance.now() ticks
// in 1 ms steps in WebKitGTK). The gap between two arrivals is one round
// trip: reply, promise settled, next message. Reported as the median and
// the 99th percentile in ns.
func BenchmarkHandlerRoundTrip(b *testing.B) {
	needDisplay(b)
	arrivals := make([]time.Time, 0, b.N+1)
	w := openTestWindow(b, func(string, func(string, string)) {})
	onMain(b, func() {
		w.HandleWithReply("bench", "test-world", func(msg string, reply func(string, string)) {
			arrivals = append(arrivals, time.Now())
			reply("", "")
		})
	})
	b.ResetTimer()
	_, err := evalWait(b, w, "test-world", fmt.Sprintf(`for (let i = 0; i <= %d; i++) await window.webkit.messageHandlers.bench.postMessage(i); return true;`, b.N))
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	if len(arrivals) != b.N+1 {
		b.Fatalf("%d arrivals, want %d", len(arrivals), b.N+1)
	}
	gaps := make([]time.Duration, b.N)
	for i := range gaps {
		gaps[i] = arrivals[i+1].Sub(arrivals[i])
	}
	slices.Sort(gaps)
	b.ReportMetric(float64(gaps[len(gaps)/2].Nanoseconds()), "median-ns/roundtrip")
	b.ReportMetric(float64(gaps[len(gaps)*99/100].Nanoseconds()), "p99-ns/roundtrip")
}

// BenchmarkHandlerThroughput is the floor of BenchmarkInvokeThroughput
// (cmd/warden): 32 postMessage calls to the bare with-reply handler kept
// in flight from a script world, the Go handler replying at once; timed on
// the Go side around the whole run. It also reports the CPU time per
// round trip of this process (WebKit's UI process here) and of the
// processes WebKit started (the web and network processes).
func BenchmarkHandlerThroughput(b *testing.B) {
	needDisplay(b)
	w := openTestWindow(b, func(string, func(string, string)) {})
	onMain(b, func() {
		w.HandleWithReply("bench", "test-world", func(msg string, reply func(string, string)) { reply("", "") })
	})
	n := max(b.N, 32)
	js := fmt.Sprintf(`let left = %d;
async function worker() { while (left-- > 0) await window.webkit.messageHandlers.bench.postMessage(0); }
await Promise.all(Array.from({length: 32}, worker));
return true;`, n)
	b.ResetTimer()
	ui0, web0 := proctree.SplitCPU(os.Getpid())
	start := time.Now()
	if _, err := evalWait(b, w, "test-world", js); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "invokes/s")
	ui1, web1 := proctree.SplitCPU(os.Getpid())
	b.ReportMetric(float64((ui1-ui0).Microseconds())/float64(n), "ui-cpu-us/roundtrip")
	b.ReportMetric(float64((web1-web0).Microseconds())/float64(n), "web-cpu-us/roundtrip")
}
