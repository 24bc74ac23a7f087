package peers

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The Wails benchmarks build ./wailsapp once per test process and run it in
// a real WebKitGTK 4.1 window on $DISPLAY. Its page runs the measurement by
// itself and the app times the calls' arrivals on the Go side; see
// wailsapp/main.go.

var wailsBuild struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

// wailsApp returns the built app binary, building it on first use.
func wailsApp(b *testing.B) string {
	b.Helper()
	if os.Getenv("DISPLAY") == "" {
		b.Fatal("needs a display: run under xvfb-run -a (see README.md)")
	}
	wailsBuild.once.Do(func() {
		dir, err := os.MkdirTemp("", "peers-wailsapp-")
		if err != nil {
			wailsBuild.err = fmt.Errorf("temp dir: %w", err)
			return
		}
		wailsBuild.dir = dir
		wailsBuild.bin = filepath.Join(dir, "wailsapp")
		start := time.Now()
		cmd := exec.Command("go", "build", "-tags", "desktop,production,webkit2_41", "-o", wailsBuild.bin, "./wailsapp")
		if out, err := cmd.CombinedOutput(); err != nil {
			wailsBuild.err = fmt.Errorf("build wailsapp: %w\n%s", err, out)
			return
		}
		b.Logf("built wailsapp in %s", time.Since(start).Round(time.Millisecond))
	})
	if wailsBuild.err != nil {
		b.Fatal(wailsBuild.err)
	}
	return wailsBuild.bin
}

func cleanWailsBuild() {
	if wailsBuild.dir != "" {
		os.RemoveAll(wailsBuild.dir)
	}
}

// wailsResults is wailsapp's results file.
type wailsResults struct {
	GapsNs  []int64 `json:"gaps_ns"`
	TPCalls int     `json:"tp_calls"`
	TPNs    int64   `json:"tp_ns"`
	Error   string  `json:"error"`
}

// wailsRun is one run of the app.
type wailsRun struct {
	wailsResults
	open  time.Duration // process start to the page's first bound call
	pssKB int64         // the app's process tree, when measured
}

// runWails runs the app for n round trips and tp throughput calls. With
// measurePss it keeps the app open after it reported, reads the memory of
// its process tree, then closes it.
func runWails(b *testing.B, n, tp int, measurePss bool) wailsRun {
	b.Helper()
	bin := wailsApp(b)
	tmp := b.TempDir()
	out := filepath.Join(tmp, "results.json")
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(),
		"WAILSAPP_N="+strconv.Itoa(n),
		"WAILSAPP_TP="+strconv.Itoa(tp),
		"WAILSAPP_OUT="+out,
	)
	if measurePss {
		cmd.Env = append(cmd.Env, "WAILSAPP_HOLD=1")
	}
	// Own process group, so that WebKit's processes go with the app.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	// Our own pipe rather than StdoutPipe: WebKit's processes inherit it,
	// so its reader may outlive cmd.Wait.
	r, w, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stdout = w
	// A file, not a buffer: WebKit's processes inherit stderr too, and
	// cmd.Wait would wait for them to close a pipe.
	errFile, err := os.Create(filepath.Join(tmp, "stderr"))
	if err != nil {
		b.Fatal(err)
	}
	defer errFile.Close()
	cmd.Stderr = errFile
	stderr := func() string {
		data, _ := os.ReadFile(errFile.Name())
		return string(data)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatalf("start wailsapp: %v", err)
	}
	w.Close()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		r.Close()
	}()

	type marker struct {
		line string
		at   time.Time
	}
	markers := make(chan marker, 16)
	go func() {
		defer close(markers)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			if line := sc.Text(); strings.HasPrefix(line, "wailsapp: ") {
				markers <- marker{strings.TrimPrefix(line, "wailsapp: "), time.Now()}
			}
		}
	}()
	wait := func(want string, timeout time.Duration) time.Time {
		b.Helper()
		timer := time.NewTimer(timeout)
		defer timer.Stop()
		for {
			select {
			case m, ok := <-markers:
				if !ok {
					b.Fatalf("wailsapp ended before %q:\n%s", want, stderr())
				}
				if m.line == want {
					return m.at
				}
			case <-timer.C:
				b.Fatalf("no %q from wailsapp in %s:\n%s", want, timeout, stderr())
			}
		}
	}

	var run wailsRun
	run.open = wait("ready", 30*time.Second).Sub(start)
	// Generous: a round trip is well under 1 ms.
	wait("done", 30*time.Second+time.Duration(n+tp)*time.Millisecond)
	data, err := os.ReadFile(out)
	if err != nil {
		b.Fatalf("wailsapp results: %v", err)
	}
	if err := json.Unmarshal(data, &run.wailsResults); err != nil {
		b.Fatalf("wailsapp results: %v", err)
	}
	if run.Error != "" {
		b.Fatalf("wailsapp page: %s", run.Error)
	}
	if measurePss {
		// Like Warden's cold start benchmark: after one call, a short pause.
		time.Sleep(300 * time.Millisecond)
		run.pssKB = treePss(cmd.Process.Pid)
	}
	stdin.Close()
	select {
	case err := <-exited:
		if err != nil {
			b.Fatalf("wailsapp exited: %v\n%s", err, stderr())
		}
	case <-time.After(10 * time.Second):
		b.Fatal("wailsapp did not close itself after reporting")
	}
	return run
}

// BenchmarkWailsRoundTrip: the page awaits one bound Greet after another,
// b.N+1 times; the gaps between consecutive arrivals in Go are the round
// trips.
func BenchmarkWailsRoundTrip(b *testing.B) {
	n := max(b.N, 2)
	b.ResetTimer()
	run := runWails(b, n, 0, false)
	b.StopTimer()
	if len(run.GapsNs) != n {
		b.Fatalf("%d round trips measured, want %d", len(run.GapsNs), n)
	}
	gaps := make([]time.Duration, len(run.GapsNs))
	for i, g := range run.GapsNs {
		gaps[i] = time.Duration(g)
	}
	reportLatency(b, gaps)
}

// BenchmarkWailsThroughput: 32 bound calls in flight from the page, timed
// in Go from the first arrival to the page's call after the last reply
// reached it.
func BenchmarkWailsThroughput(b *testing.B) {
	n := max(b.N, 32)
	b.ResetTimer()
	run := runWails(b, 0, n, false)
	b.StopTimer()
	if run.TPCalls != n || run.TPNs <= 0 {
		b.Fatalf("throughput phase: %d calls in %d ns, want %d calls", run.TPCalls, run.TPNs, n)
	}
	b.ReportMetric(float64(n)/time.Duration(run.TPNs).Seconds(), "invokes/s")
}

// BenchmarkWailsOpen measures starting the app process to its page's first
// bound call, and then the proportional memory (Pss) of the app and every
// process it started (WebKit's web and network processes). It starts at
// most wailsOpens apps whatever b.N is, so it can share one -benchtime with
// the other benchmarks.
func BenchmarkWailsOpen(b *testing.B) {
	wailsApp(b) // build outside the timed starts
	var opens []time.Duration
	var pss []int64
	for range min(b.N, wailsOpens) {
		run := runWails(b, 0, 0, true)
		opens = append(opens, run.open)
		pss = append(pss, run.pssKB)
	}
	slices.Sort(opens)
	slices.Sort(pss)
	b.ReportMetric(float64(opens[len(opens)/2].Nanoseconds()), "median-ns/open")
	b.ReportMetric(float64(pss[len(pss)/2])/1024, "Pss-MB")
}

// wailsOpens bounds the starts of BenchmarkWailsOpen per run.
const wailsOpens = 5

// treePss sums Pss (kB) over pid and its descendants.
func treePss(pid int) int64 {
	var total int64
	for _, p := range append([]int{pid}, descendants(pid)...) {
		data, err := os.ReadFile("/proc/" + strconv.Itoa(p) + "/smaps_rollup")
		if err != nil {
			continue // exited meanwhile
		}
		for line := range strings.Lines(string(data)) {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "Pss:" {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				total += kb
			}
		}
	}
	return total
}

// descendants lists pid's descendants from the parent pids in /proc.
func descendants(pid int) []int {
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// The command name is in parentheses and may hold spaces.
		s := string(data)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(fields[1])
		children[ppid] = append(children[ppid], p)
	}
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		kids := children[queue[0]]
		queue = append(queue[1:], kids...)
		out = append(out, kids...)
	}
	return out
}
