package peers

import (
	"fmt"
	"net/rpc"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
)

// The go-plugin benchmarks call a one-method plugin over net/rpc (go-plugin
// multiplexes it with yamux over a Unix socket); the plugin process is this
// test binary re-executed (see TestMain).

var handshake = plugin.HandshakeConfig{
	ProtocolVersion:  1,
	MagicCookieKey:   "PEERS_BENCH_GOPLUGIN",
	MagicCookieValue: "greeter",
}

// Greeter is the plugin's interface.
type Greeter interface {
	Greet(name string) string
}

type greeter struct{}

func (greeter) Greet(name string) string { return "Hello, " + name }

// greeterRPCServer is the net/rpc service in the plugin process.
type greeterRPCServer struct{ impl Greeter }

func (s *greeterRPCServer) Greet(name string, resp *string) error {
	*resp = s.impl.Greet(name)
	return nil
}

// greeterRPC is the client side. It returns the error too, which a
// benchmark must not ignore.
type greeterRPC struct{ client *rpc.Client }

func (g *greeterRPC) Greet(name string) (string, error) {
	var resp string
	err := g.client.Call("Plugin.Greet", name, &resp)
	return resp, err
}

// greeterPlugin is the go-plugin net/rpc glue.
type greeterPlugin struct{ impl Greeter }

func (p *greeterPlugin) Server(*plugin.MuxBroker) (any, error) {
	return &greeterRPCServer{impl: p.impl}, nil
}

func (*greeterPlugin) Client(_ *plugin.MuxBroker, c *rpc.Client) (any, error) {
	return &greeterRPC{client: c}, nil
}

func servePlugin() {
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: handshake,
		Plugins:         map[string]plugin.Plugin{"greeter": &greeterPlugin{impl: greeter{}}},
		Logger:          hclog.NewNullLogger(),
	})
}

// startGreeter starts the plugin process and returns its client, warmed up.
func startGreeter(b *testing.B) *greeterRPC {
	b.Helper()
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  handshake,
		Plugins:          map[string]plugin.Plugin{"greeter": &greeterPlugin{}},
		Cmd:              exec.Command(os.Args[0]),
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolNetRPC},
		Logger:           hclog.NewNullLogger(),
	})
	b.Cleanup(client.Kill)
	rc, err := client.Client()
	if err != nil {
		b.Fatalf("start go-plugin process: %v", err)
	}
	raw, err := rc.Dispense("greeter")
	if err != nil {
		b.Fatalf("dispense greeter: %v", err)
	}
	g := raw.(*greeterRPC)
	for range 100 {
		if _, err := g.Greet("warmup"); err != nil {
			b.Fatalf("warm-up call: %v", err)
		}
	}
	return g
}

// BenchmarkGoPluginRoundTrip makes one call after another and times each on
// the client with the monotonic clock.
func BenchmarkGoPluginRoundTrip(b *testing.B) {
	g := startGreeter(b)
	gaps := make([]time.Duration, b.N)
	b.ResetTimer()
	for i := range gaps {
		start := time.Now()
		if _, err := g.Greet("bench"); err != nil {
			b.Fatal(err)
		}
		gaps[i] = time.Since(start)
	}
	b.StopTimer()
	reportLatency(b, gaps)
}

// BenchmarkGoPluginThroughput keeps 32 calls in flight on one client and
// reports completed calls per second of wall time.
func BenchmarkGoPluginThroughput(b *testing.B) {
	g := startGreeter(b)
	var left atomic.Int64
	left.Store(int64(b.N))
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	b.ResetTimer()
	start := time.Now()
	for range 32 {
		wg.Go(func() {
			for left.Add(-1) >= 0 {
				if _, err := g.Greet("bench"); err != nil {
					errs <- fmt.Errorf("greet: %w", err)
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "invokes/s")
}
