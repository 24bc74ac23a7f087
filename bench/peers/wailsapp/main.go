// Command wailsapp is a minimal Wails v2 app for the peer benchmarks
// (../wails_test.go builds and runs it). Its page calls the bound
// App.Greet through window.go.main.App and this side times the arrivals:
// performance.now() ticks in 1 ms steps in WebKitGTK.
//
// Environment: WAILSAPP_N round trips, WAILSAPP_TP calls for the
// throughput phase (32 in flight), WAILSAPP_OUT the JSON results file,
// WAILSAPP_HOLD=1 to stay open after reporting until stdin closes (so the
// benchmark can read the memory of a settled app). It prints
// "wailsapp: ready" at the page's first bound call and "wailsapp: done"
// once the results file is written.
//
// Build: go build -tags desktop,production,webkit2_41 ./wailsapp
package main

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/logger"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/runtime"
)

//go:embed frontend
var assets embed.FS

// Plan tells the page how many calls to make.
type Plan struct {
	N  int `json:"n"`
	TP int `json:"tp"`
}

// Results is what the benchmark reads back.
type Results struct {
	GapsNs  []int64 `json:"gaps_ns"`  // round trips: gaps between consecutive Greet arrivals
	TPCalls int     `json:"tp_calls"` // calls in the throughput phase
	TPNs    int64   `json:"tp_ns"`    // first throughput arrival to the page's Done call
	Error   string  `json:"error,omitempty"`
}

// App is the bound struct: the page sees it as window.go.main.App.
type App struct {
	ctx  context.Context
	plan Plan
	out  string
	hold bool

	mu       sync.Mutex
	arrivals []time.Time
	tpFrom   int // index of the first throughput arrival
}

func (a *App) startup(ctx context.Context) { a.ctx = ctx }

// Plan is the page's first bound call: its arrival is "ready".
func (a *App) Plan() Plan {
	fmt.Println("wailsapp: ready")
	return a.plan
}

// Greet is the measured method.
func (a *App) Greet(name string) string {
	t := time.Now()
	a.mu.Lock()
	a.arrivals = append(a.arrivals, t)
	a.mu.Unlock()
	return "Hello, " + name
}

// StartThroughput marks the end of the round-trip phase.
func (a *App) StartThroughput() {
	a.mu.Lock()
	a.tpFrom = len(a.arrivals)
	a.mu.Unlock()
}

// Done is called once every reply of the throughput phase has reached the
// page (or with the page's error); it writes the results and quits.
func (a *App) Done(pageErr string) {
	end := time.Now()
	a.mu.Lock()
	res := Results{Error: pageErr, TPCalls: len(a.arrivals) - a.tpFrom}
	for i := 1; i < a.tpFrom; i++ {
		res.GapsNs = append(res.GapsNs, a.arrivals[i].Sub(a.arrivals[i-1]).Nanoseconds())
	}
	if res.TPCalls > 0 {
		// Concurrent calls take the lock in any order: use the earliest.
		first := a.arrivals[a.tpFrom]
		for _, t := range a.arrivals[a.tpFrom:] {
			if t.Before(first) {
				first = t
			}
		}
		res.TPNs = end.Sub(first).Nanoseconds()
	}
	a.mu.Unlock()
	if err := writeJSON(a.out, res); err != nil {
		fmt.Fprintln(os.Stderr, "wailsapp:", err)
	}
	fmt.Println("wailsapp: done")
	if !a.hold {
		runtime.Quit(a.ctx)
	}
}

func writeJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode results: %w", err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	return nil
}

func envInt(name string) int {
	n, _ := strconv.Atoi(os.Getenv(name))
	return max(n, 0)
}

func main() {
	app := &App{
		plan: Plan{N: envInt("WAILSAPP_N"), TP: envInt("WAILSAPP_TP")},
		out:  os.Getenv("WAILSAPP_OUT"),
		hold: os.Getenv("WAILSAPP_HOLD") == "1",
	}
	if app.out == "" {
		app.out = os.DevNull
	}
	err := wails.Run(&options.App{
		Title:       "wailsapp",
		Width:       800,
		Height:      600,
		AssetServer: &assetserver.Options{Assets: assets},
		OnStartup: func(ctx context.Context) {
			app.startup(ctx)
			if app.hold {
				// Quit when the benchmark closes stdin (or dies).
				go func() {
					_, _ = io.Copy(io.Discard, os.Stdin)
					runtime.Quit(ctx)
				}()
			}
		},
		Bind: []any{app},
		// Wails logs to stderr; only errors, so a failure's output is short.
		LogLevel:           logger.ERROR,
		LogLevelProduction: logger.ERROR,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "wailsapp:", err)
		os.Exit(1)
	}
}
