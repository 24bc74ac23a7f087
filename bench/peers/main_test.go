package peers

import (
	"os"
	"slices"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	// Helper-process pattern: go-plugin re-executes this test binary with
	// its magic cookie set, and the binary then serves the plugin.
	if os.Getenv(handshake.MagicCookieKey) == handshake.MagicCookieValue {
		servePlugin()
		return
	}
	code := m.Run()
	cleanWailsBuild()
	os.Exit(code)
}

// reportLatency reports the median and 99th percentile of round trips.
func reportLatency(b *testing.B, gaps []time.Duration) {
	b.Helper()
	if len(gaps) == 0 {
		b.Fatal("no round trips measured")
	}
	slices.Sort(gaps)
	b.ReportMetric(float64(gaps[len(gaps)/2].Nanoseconds()), "median-ns/call")
	b.ReportMetric(float64(gaps[len(gaps)*99/100].Nanoseconds()), "p99-ns/call")
}
