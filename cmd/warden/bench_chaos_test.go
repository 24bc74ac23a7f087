package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/host/supervise"
	"github.com/wardenhq/warden/host/window"
)

// BenchmarkChaos keeps five plugins (copies of hello) under continuous
// invoke load from their pages while their webview processes are killed
// with SIGKILL at random, every 1 to 4 seconds, for $WARDEN_CHAOS (default
// 5m). Each page awaits one invoke after another and counts, in the page:
// replies that are right, replies that are wrong, invokes that got no
// answer within 10 s while the page lived (lost), and reply messages that
// reached the page twice for one request (duplicated, counted by a
// listener beside the bridge's). A page's counts are read just before its
// process is killed and once more at the end for the pages still alive.
// Crashed windows restart (the restart policy allows 1000 crashes in five
// minutes, so that the load goes on), and their new pages get the load
// again. The core's RSS is sampled every 5 s. It runs once per -count.
func BenchmarkChaos(b *testing.B) {
	needDisplay(b)
	dur := 5 * time.Minute
	if s := os.Getenv("WARDEN_CHAOS"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			b.Fatalf("WARDEN_CHAOS=%s: %v", s, err)
		}
		dur = d
	}
	ctx := context.Background()
	w, err := warden.Open(ctx, warden.Config{Profile: b.TempDir(), Logger: quietLog, Window: uiOptions(),
		Limits:  host.Limits{Rate: -1, MaxInFlight: 1024},
		Restart: supervise.Policy{MaxCrashes: 1000, Window: 5 * time.Minute}})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close(ctx)
	ids := installCopies(b, w, "hello", 5)
	for _, id := range ids {
		if err := w.Run(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
	}

	var (
		mu     sync.Mutex
		totals chaosCounts
		kills  int
	)
	add := func(c chaosCounts) {
		mu.Lock()
		totals.add(c)
		mu.Unlock()
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	// One loader per plugin: each new page of its window gets the load.
	for _, id := range ids {
		wg.Go(func() {
			for {
				ui := w.Windows().Window(id)
				if ui == nil { // stopped by the crash policy
					return
				}
				rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				err := ui.WaitReady(rctx)
				cancel()
				select {
				case <-stop:
					return
				default:
				}
				if err != nil {
					continue
				}
				pid := ui.PID()
				ectx, cancel := context.WithTimeout(ctx, 10*time.Second)
				_, err = ui.Eval(ectx, chaosLoad)
				cancel()
				if err != nil {
					time.Sleep(50 * time.Millisecond) // the page went away meanwhile
					continue
				}
				for ui.PID() == pid {
					select {
					case <-stop:
						return
					case <-time.After(20 * time.Millisecond):
					}
				}
			}
		})
	}
	// RSS of the core over time.
	var rss []int64
	wg.Go(func() {
		for {
			rss = append(rss, selfRSS())
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Second):
			}
		}
	})

	time.Sleep(3 * time.Second) // every page under load
	end := time.Now().Add(dur)
	for time.Now().Before(end) {
		time.Sleep(time.Second + time.Duration(rand.Int64N(int64(3*time.Second))))
		ui := w.Windows().Window(ids[rand.IntN(len(ids))])
		if ui == nil {
			continue
		}
		pid := ui.PID()
		if pid == 0 {
			continue
		}
		rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		c, err := chaosRead(rctx, ui)
		cancel()
		if err == nil {
			add(c)
		}
		if syscall.Kill(pid, syscall.SIGKILL) == nil {
			kills++
		}
	}
	// The pages alive at the end: let them run a moment, then read them.
	time.Sleep(3 * time.Second)
	live := 0
	for _, id := range ids {
		ui := w.Windows().Window(id)
		if ui == nil {
			continue
		}
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		c, err := chaosRead(rctx, ui)
		cancel()
		if err == nil {
			add(c)
			live++
		}
	}
	close(stop)
	wg.Wait()

	restarts, stopped := 0, 0
	for _, id := range ids {
		st := w.Windows().State(id)
		restarts += st.Starts - 1
		if st.Stopped {
			stopped++
		}
	}
	mb := func(kb int64) float64 { return float64(kb) / 1024 }
	b.ReportMetric(float64(totals.OK), "replies")
	b.ReportMetric(float64(totals.Lost), "lost")
	b.ReportMetric(float64(totals.Duplicated), "duplicated")
	b.ReportMetric(float64(totals.Bad), "wrong")
	b.ReportMetric(float64(kills), "kills")
	b.ReportMetric(float64(restarts), "restarts")
	b.ReportMetric(float64(stopped), "stopped")
	b.ReportMetric(mb(rss[0]), "core-RSS-start-MB")
	b.ReportMetric(mb(rss[len(rss)-1]), "core-RSS-end-MB")
	b.ReportMetric(mb(slices.Max(rss)), "core-RSS-max-MB")
	var series []string
	for i := 0; i < len(rss); i += max(1, len(rss)/12) {
		series = append(series, fmt.Sprintf("%ds %.0f", i*5, mb(rss[i])))
	}
	b.Logf("%v under chaos: %d kills, %d restarts, %d plugins alive at the end; counts %+v; core RSS (MB) %s",
		dur, kills, restarts, live, totals, strings.Join(series, ", "))
	if totals.Lost+totals.Duplicated+totals.Bad > 0 {
		b.Errorf("replies lost %d, duplicated %d, wrong %d", totals.Lost, totals.Duplicated, totals.Bad)
	}
}

// chaosCounts are what a page under load counted.
type chaosCounts struct {
	OK, Bad, Lost, Duplicated, Errors int
}

func (c *chaosCounts) add(o chaosCounts) {
	c.OK += o.OK
	c.Bad += o.Bad
	c.Lost += o.Lost
	c.Duplicated += o.Duplicated
	c.Errors += o.Errors
}

// chaosLoad starts the load in a page: one invoke after another, each
// checked, and a listener that counts reply messages per request id.
const chaosLoad = `
if (window.chaos) return true;
const c = window.chaos = {OK: 0, Bad: 0, Lost: 0, Duplicated: 0, Errors: 0};
const seen = new Map();
addEventListener("message", (e) => {
  const d = e.data;
  if (d && typeof d.id === "number" && ("reply" in d || "error" in d)) {
    const n = (seen.get(d.id) || 0) + 1;
    seen.set(d.id, n);
    if (n > 1) c.Duplicated++;
  }
});
(async () => {
  for (let i = 0; ; i++) {
    const name = "c" + i;
    let timer;
    const late = new Promise((_, reject) => { timer = setTimeout(() => reject({code: "timeout"}), 10000); });
    try {
      const r = await Promise.race([warden.invoke("backend.greet", name), late]);
      if (r === "Hello, " + name + "!") c.OK++; else c.Bad++;
    } catch (e) {
      if (e && e.code === "timeout") c.Lost++; else c.Errors++;
    } finally {
      clearTimeout(timer);
    }
  }
})();
return true;`

// chaosRead reads a page's counts.
func chaosRead(ctx context.Context, ui *window.Window) (chaosCounts, error) {
	var c chaosCounts
	raw, err := ui.Eval(ctx, `return window.chaos || null`)
	if err != nil {
		return c, err
	}
	if string(raw) == "null" {
		return c, fmt.Errorf("no load in this page yet")
	}
	return c, json.Unmarshal(raw, &c)
}

// selfRSS returns this process's resident set size in kB.
func selfRSS() int64 {
	b, _ := os.ReadFile("/proc/self/status")
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb
		}
	}
	return 0
}
