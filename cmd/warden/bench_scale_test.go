package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/host/backend"
	"github.com/wardenhq/warden/internal/proctree"
)

// BenchmarkScale installs N copies of the hello example (ids
// dev.warden.scale1 … N) in one profile and opens them all from one core
// (this process, as warden run --all does), for N = 1, 5, 10 and 20. It
// reports the time from the first Run until every page is ready; the
// memory of every process then (Pss, RSS and private pages, from
// /proc/PID/smaps_rollup), summed and per plugin, by kind of process; the
// core's own; and the invoke round trip of one plugin while the others
// idle (the gap between consecutive audit entries, as
// BenchmarkInvokeRoundTrip). Each size runs once per -count; -benchtime
// Nx times N round trips (at least 200). bench/run.sh writes the table.
func BenchmarkScale(b *testing.B) {
	needDisplay(b)
	sizes := []int{1, 5, 10, 20}
	if s := os.Getenv("WARDEN_SCALE"); s != "" {
		sizes = nil
		for f := range strings.SplitSeq(s, ",") {
			n, err := strconv.Atoi(f)
			if err != nil || n < 1 {
				b.Fatalf("WARDEN_SCALE=%s: give sizes such as 1,5,10,20", s)
			}
			sizes = append(sizes, n)
		}
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("plugins=%d", n), func(b *testing.B) { benchScale(b, n) })
	}
}

func benchScale(b *testing.B, n int) {
	ctx := context.Background()
	w, err := warden.Open(ctx, warden.Config{Profile: b.TempDir(), Logger: quietLog, Window: uiOptions()})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close(ctx)
	ids := installCopies(b, w, "hello", n)

	coreCPU := proctree.CPU(os.Getpid())
	start := time.Now()
	for _, id := range ids {
		if err := w.Run(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
	rctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for _, id := range ids {
		if err := w.Windows().Window(id).WaitReady(rctx); err != nil {
			b.Fatalf("%s: %v", id, err)
		}
	}
	ready := time.Since(start)
	// CPU time spent to get there: every process of the plugins' windows
	// (they started with them), and the core's share.
	var windowsCPU time.Duration
	for _, p := range proctree.Descendants(os.Getpid()) {
		windowsCPU += proctree.CPU(p)
	}
	coreCPU = proctree.CPU(os.Getpid()) - coreCPU

	// Every page has run its backend once and settled.
	for _, id := range ids {
		if _, err := w.Windows().Window(id).Eval(ctx, `return await warden.invoke("backend.greet", "mem")`); err != nil {
			b.Fatal(err)
		}
	}
	time.Sleep(time.Second)
	mem := processMemory(os.Getpid())

	// One plugin's round trip while the others idle.
	first := w.Windows().Window(ids[0])
	// b.Loop runs this function once per -count (nothing above is
	// repeated) and sets how many round trips to time.
	rounds := 0
	for b.Loop() {
		rounds++
	}
	rounds = max(rounds, 200)
	if _, err := first.Eval(ctx, fmt.Sprintf(`for (let i = 0; i <= %d; i++) await warden.invoke("backend.greet", "bench"); return true;`, rounds)); err != nil {
		b.Fatal(err)
	}
	gaps := roundTrips(b, w.Host().Audit(), ids[0], rounds)

	mb := func(kb int64) float64 { return float64(kb) / 1024 }
	b.ReportMetric(float64(ready.Milliseconds()), "ready-ms")
	b.ReportMetric(float64(windowsCPU.Milliseconds())/float64(n), "window-cpu-ms/plugin")
	b.ReportMetric(float64(coreCPU.Milliseconds())/float64(n), "core-cpu-ms/plugin")
	b.ReportMetric(mb(mem.total.pss), "total-Pss-MB")
	b.ReportMetric(mb(mem.total.rss), "total-RSS-MB")
	b.ReportMetric(mb(mem.kinds["core"].pss), "core-Pss-MB")
	b.ReportMetric(mb(mem.kinds["core"].rss), "core-RSS-MB")
	plugins := mem.total.private - mem.kinds["core"].private
	b.ReportMetric(mb(plugins)/float64(n), "private-MB/plugin")
	b.ReportMetric(mb(mem.total.pss-mem.kinds["core"].pss)/float64(n), "Pss-MB/plugin")
	for _, k := range []string{"webview", "web", "network", "sandbox"} {
		b.ReportMetric(mb(mem.kinds[k].private)/float64(n), k+"-private-MB/plugin")
	}
	b.ReportMetric(float64(gaps[len(gaps)/2].Nanoseconds()), "median-ns/invoke")
	b.ReportMetric(float64(gaps[len(gaps)*99/100].Nanoseconds()), "p99-ns/invoke")
	b.Logf("%d plugins: ready in %v; processes: %s", n, ready, mem)

	// At twenty, once every backend has been idle long enough for its
	// instances to be released (backend.DefaultIdleRelease): what twenty
	// open plugins cost while the user is not using them.
	if n >= 20 {
		time.Sleep(backend.DefaultIdleRelease + 3*time.Second)
		idle := processMemory(os.Getpid())
		b.ReportMetric(mb(idle.total.pss), "idle-total-Pss-MB")
		b.ReportMetric(mb(idle.kinds["core"].pss), "idle-core-Pss-MB")
		b.Logf("%d plugins idle for %v: processes: %s", n, backend.DefaultIdleRelease+3*time.Second, idle)
	}
}

// installCopies installs n copies of example name, each under its own id
// (dev.warden.scale1 …), granted what it asks, and returns the ids.
func installCopies(b *testing.B, w *warden.Warden, name string, n int) []string {
	b.Helper()
	src := example(b, name)
	ids := make([]string, n)
	for i := range n {
		ids[i] = fmt.Sprintf("dev.warden.scale%d", i+1)
		dir := filepath.Join(b.TempDir(), "src")
		if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
			b.Fatal(err)
		}
		mf := filepath.Join(dir, "manifest.json")
		m, err := os.ReadFile(mf)
		if err != nil {
			b.Fatal(err)
		}
		s := strings.Replace(string(m), `"id": "dev.warden.`+name+`"`, `"id": "`+ids[i]+`"`, 1)
		if err := os.WriteFile(mf, []byte(s), 0o644); err != nil {
			b.Fatal(err)
		}
		installUnsigned(b, w, dir)
	}
	return ids
}

// memUse is one process's (or a sum of processes') memory in kB.
type memUse struct {
	pss, rss, private int64
	procs             int
}

func (m *memUse) add(o memUse) {
	m.pss += o.pss
	m.rss += o.rss
	m.private += o.private
	m.procs += o.procs
}

// treeMemory is the memory of a process tree, in all and by kind:
// "core" (the root), "webview" (warden-webview), "web" and "network"
// (WebKit's), "sandbox" (bubblewrap and its D-Bus proxy), "other".
type treeMemory struct {
	total memUse
	kinds map[string]memUse
}

func (t treeMemory) String() string {
	var parts []string
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range t.kinds {
			if !yield(k) {
				return
			}
		}
	}) {
		m := t.kinds[k]
		parts = append(parts, fmt.Sprintf("%s: %d, Pss %.1f MB, private %.1f MB", k, m.procs, float64(m.pss)/1024, float64(m.private)/1024))
	}
	return strings.Join(parts, "; ")
}

// processMemory reads the memory of pid and its descendants.
func processMemory(pid int) treeMemory {
	t := treeMemory{kinds: map[string]memUse{}}
	for _, p := range append([]int{pid}, proctree.Descendants(pid)...) {
		m, ok := readMemUse(p)
		if !ok {
			continue
		}
		kind := "core"
		if p != pid {
			kind = processKind(p)
		}
		k := t.kinds[kind]
		k.add(m)
		t.kinds[kind] = k
		t.total.add(m)
	}
	return t
}

// processKind names what process p is, from its command line.
func processKind(p int) string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(p) + "/cmdline")
	cmd := filepath.Base(strings.SplitN(string(b), "\x00", 2)[0])
	switch {
	case strings.Contains(cmd, "warden-webview"):
		return "webview"
	case strings.Contains(cmd, "WebKitWebProcess"):
		return "web"
	case strings.Contains(cmd, "WebKitNetworkProcess"):
		return "network"
	case cmd == "bwrap" || strings.Contains(cmd, "dbus-proxy"):
		return "sandbox"
	}
	return "other"
}

// readMemUse reads process p's smaps_rollup.
func readMemUse(p int) (memUse, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(p) + "/smaps_rollup")
	if err != nil {
		return memUse{}, false
	}
	m := memUse{procs: 1}
	for line := range strings.SplitSeq(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "Pss:":
			m.pss = kb
		case "Rss:":
			m.rss = kb
		case "Private_Clean:", "Private_Dirty:":
			m.private += kb
		}
	}
	return m, true
}
