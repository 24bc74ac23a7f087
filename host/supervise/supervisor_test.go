package supervise

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/helperproc"
)

// TestRestartAfterKill kills one unit's child with SIGKILL three times
// while another unit keeps answering: each kill is logged and restarted
// within 1 s until the third leaves the unit stopped.
func TestRestartAfterKill(t *testing.T) {
	var logs helperproc.Output
	s := New(Policy{}, slog.New(slog.NewTextHandler(&logs, nil)))
	defer s.Close(context.Background())
	a, b := newEchoUnit("echo"), newEchoUnit("echo")
	wa := s.Watch("a")
	if err := s.Add(t.Context(), a.unit("a")); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(t.Context(), b.unit("b")); err != nil {
		t.Fatal(err)
	}
	bPID := b.current().PID

	// b answers throughout.
	var calls, failures atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_, err := b.call(ctx, "ping")
			cancel()
			calls.Add(1)
			if err != nil {
				failures.Add(1)
			}
			time.Sleep(2 * time.Millisecond)
		}
	})

	// The first child leaves a grandchild that holds its end of the
	// socket: the crash must still be seen, and the grandchild killed.
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	f, err := a.call(ctx, "grandchild")
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	grandchild := atoiT(t, string(f.Payload))

	for crash := 1; crash <= 3; crash++ {
		old := a.current().PID
		start := time.Now()
		if err := syscall.Kill(old, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		if crash == 3 {
			st := waitState(t, wa, 5*time.Second, "stopped", func(st State) bool { return st.Stopped })
			want := "crashed 3 times in 5m0s; last: signal: killed"
			if st.Reason != want || !errors.Is(st.Err, ErrTooManyCrashes) || st.Running || st.PID != 0 || st.Starts != 3 || st.Crashes != 3 {
				t.Fatalf("after 3 crashes: %+v, want stopped with reason %q", st, want)
			}
			break
		}
		st := waitState(t, wa, 5*time.Second, "a new child", func(st State) bool { return st.Running && st.PID != old })
		d := time.Since(start)
		t.Logf("crash %d: restarted in %v", crash, d)
		if d > time.Second {
			t.Errorf("crash %d: restarted after %v, want within 1 s", crash, d)
		}
		if st.Starts != crash+1 || st.Crashes != crash {
			t.Errorf("crash %d: state %+v", crash, st)
		}
		if crash == 1 {
			waitGone(t, grandchild, time.Second)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		if f, err := a.call(ctx, "after"); err != nil || string(f.Payload) != "after" {
			t.Fatalf("restarted child: %q, %v", f.Payload, err)
		}
		cancel()
		if want := fmt.Sprintf(`msg="unit crashed" unit=a pid=%d status="signal: killed" crashes=%d`, old, crash); !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs.String())
		}
	}
	close(stop)
	wg.Wait()
	if calls.Load() < 10 || failures.Load() != 0 {
		t.Fatalf("other unit: %d of %d calls failed", failures.Load(), calls.Load())
	}
	if st := s.State("b"); !st.Running || st.PID != bPID || st.Starts != 1 {
		t.Fatalf("other unit disturbed: %+v", st)
	}
	// No restart after the stop.
	time.Sleep(300 * time.Millisecond)
	if st := s.State("a"); !st.Stopped || st.Starts != 3 {
		t.Fatalf("stopped unit restarted: %+v", st)
	}
	waitGone(t, a.current().PID, time.Second)
}

func TestNotRestarted(t *testing.T) {
	tests := []struct {
		name   string
		end    func(t *testing.T, s *Supervisor, u *echoUnit)
		reason string
		err    error
		status string
	}{
		{"closed by the user", func(t *testing.T, s *Supervisor, u *echoUnit) { u.send(t, "close") },
			"closed", ErrClosed, "exit status 0"},
		{"serve shut down", func(t *testing.T, s *Supervisor, u *echoUnit) { u.send(t, "serve-shutdown") },
			"stopped", ErrShutdown, "exit status 0"},
		{"stopped", func(t *testing.T, s *Supervisor, u *echoUnit) {
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			if _, err := u.call(ctx, "up"); err != nil { // its SIGTERM handler is installed
				t.Fatal(err)
			}
			if err := s.Stop(t.Context(), "u"); err != nil {
				t.Fatal(err)
			}
		}, "stopped", ErrShutdown, "exit status 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(Policy{}, nil)
			defer s.Close(context.Background())
			u := newEchoUnit("echo")
			if err := s.Add(t.Context(), u.unit("u")); err != nil {
				t.Fatal(err)
			}
			c := u.current()
			tt.end(t, s, u)
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			st, err := s.Wait(ctx, "u")
			if err != nil {
				t.Fatal(err)
			}
			if !st.Stopped || st.Running || st.Reason != tt.reason || !errors.Is(st.Err, tt.err) || st.Starts != 1 || st.Crashes != 0 {
				t.Fatalf("state %+v, want stopped (%s)", st, tt.reason)
			}
			if c.Status() != tt.status {
				t.Errorf("child ended with %q, want %q", c.Status(), tt.status)
			}
			if alive(c.PID) {
				t.Fatal("child alive")
			}
			time.Sleep(100 * time.Millisecond)
			if st := s.State("u"); st.Starts != 1 || !st.Stopped {
				t.Fatalf("restarted: %+v", st)
			}
		})
	}
}

// TestCrashes covers crashes other than a kill: a child that exits at once,
// a Serve that fails, a restart that cannot start.
func TestCrashes(t *testing.T) {
	var starts atomic.Int32
	failingRestart := func(u *echoUnit) Unit {
		un := u.unit("u")
		un.Start = func(ctx context.Context) (*Child, error) {
			if starts.Add(1) > 1 {
				return nil, errors.New("boom")
			}
			return u.start(ctx)
		}
		return un
	}
	tests := []struct {
		name   string
		mode   string
		unit   func(u *echoUnit) Unit
		crash  func(t *testing.T, u *echoUnit)
		reason string
		starts int
	}{
		{"child exits at once", "exit", nil, nil,
			"crashed 3 times in 5m0s; last: exit status 1", 3},
		{"child exits on a frame", "echo", nil, func(t *testing.T, u *echoUnit) { u.send(t, "crash") },
			"crashed 3 times in 5m0s; last: exit status 3", 3},
		{"serve fails", "echo", nil, func(t *testing.T, u *echoUnit) { u.send(t, "serve-fail") },
			"crashed 3 times in 5m0s; last: unexpected frame", 3},
		{"restart fails", "echo", failingRestart, func(t *testing.T, u *echoUnit) { u.send(t, "crash") },
			"crashed 3 times in 5m0s; last: start: boom", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(Policy{Backoff: func(int) time.Duration { return 0 }}, nil)
			defer s.Close(context.Background())
			u := newEchoUnit(tt.mode)
			un := u.unit("u")
			if tt.unit != nil {
				un = tt.unit(u)
			}
			crashes := make(chan Crash, 8)
			un.OnCrash = func(c Crash) { crashes <- c }
			w := s.Watch("u")
			if err := s.Add(t.Context(), un); err != nil {
				t.Fatal(err)
			}
			var st State
			for !st.Stopped {
				st = waitState(t, w, 5*time.Second, "running or stopped", func(st State) bool { return st.Running || st.Stopped })
				if st.Running && tt.crash != nil {
					tt.crash(t, u)
				}
			}
			if st.Reason != tt.reason || !errors.Is(st.Err, ErrTooManyCrashes) || st.Starts != tt.starts {
				t.Fatalf("state %+v, want reason %q after %d starts", st, tt.reason, tt.starts)
			}
			// OnCrash heard each crash, the last one as the one that stopped it.
			if _, err := s.Wait(t.Context(), "u"); err != nil {
				t.Fatal(err)
			}
			for i := 1; i <= DefaultMaxCrashes; i++ {
				c := <-crashes
				if c.Count != i || c.Stopped != (i == DefaultMaxCrashes) || c.At.IsZero() || !strings.HasSuffix(tt.reason, "last: "+c.Cause) && i == DefaultMaxCrashes {
					t.Errorf("crash %d told as %+v", i, c)
				}
			}
			waitGone(t, u.current().PID, time.Second)
		})
	}
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestCrashWindow checks that only crashes within the window count.
func TestCrashWindow(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1e9, 0)}
	s := New(Policy{MaxCrashes: 2, Window: time.Minute, Backoff: func(int) time.Duration { return 0 }}, nil)
	s.now = clock.Now
	defer s.Close(context.Background())
	u := newEchoUnit("echo")
	w := s.Watch("u")
	if err := s.Add(t.Context(), u.unit("u")); err != nil {
		t.Fatal(err)
	}
	crash := func(starts int) State {
		t.Helper()
		waitState(t, w, 5*time.Second, fmt.Sprintf("start %d", starts), func(st State) bool { return st.Running && st.Starts == starts })
		u.send(t, "crash")
		return waitState(t, w, 5*time.Second, "the crash", func(st State) bool { return !st.Running })
	}
	if st := crash(1); st.Stopped || st.Crashes != 1 {
		t.Fatalf("after the first crash: %+v", st)
	}
	clock.Advance(time.Minute) // the first crash leaves the window
	if got := s.State("u").Crashes; got != 0 {
		t.Fatalf("crashes in window after it passed: %d, want 0", got)
	}
	if st := crash(2); st.Stopped || st.Crashes != 1 {
		t.Fatalf("after a crash a window later: %+v", st)
	}
	clock.Advance(59 * time.Second)
	st := crash(3)
	if st.Running && !st.Stopped {
		st = waitState(t, w, 5*time.Second, "stopped", func(st State) bool { return st.Stopped })
	}
	if want := "crashed 2 times in 1m0s; last: exit status 3"; !st.Stopped || st.Reason != want || st.Crashes != 2 {
		t.Fatalf("after two crashes within the window: %+v, want %q", st, want)
	}
}

func TestPolicyDefaults(t *testing.T) {
	tests := []struct {
		n    int
		want time.Duration
	}{
		{0, 0}, {1, 0}, {2, 250 * time.Millisecond}, {3, 500 * time.Millisecond},
		{4, time.Second}, {5, 2 * time.Second}, {6, 4 * time.Second}, {7, 5 * time.Second},
		{100, 5 * time.Second},
	}
	for _, tt := range tests {
		if got := DefaultBackoff(tt.n); got != tt.want {
			t.Errorf("DefaultBackoff(%d) = %v, want %v", tt.n, got, tt.want)
		}
	}
	p := Policy{}.withDefaults()
	if p.MaxCrashes != 3 || p.Window != 5*time.Minute || p.Backoff(2) != 250*time.Millisecond {
		t.Fatalf("defaults: %+v", p)
	}
	custom := Policy{MaxCrashes: 7, Window: time.Second, Backoff: func(int) time.Duration { return time.Hour }}.withDefaults()
	if custom.MaxCrashes != 7 || custom.Window != time.Second || custom.Backoff(1) != time.Hour {
		t.Fatalf("custom policy changed: %+v", custom)
	}
}

func TestCrashLog(t *testing.T) {
	t0 := time.Unix(1e9, 0)
	var l crashLog
	steps := []struct {
		at   time.Duration
		want int
	}{
		{0, 1}, {10 * time.Second, 2}, {59 * time.Second, 3},
		{60 * time.Second, 3}, // the first leaves, this one enters
		{200 * time.Second, 1},
	}
	for _, s := range steps {
		if got := l.record(t0.Add(s.at), time.Minute); got != s.want {
			t.Fatalf("crash at %v: %d in window, want %d", s.at, got, s.want)
		}
	}
	if got := l.count(t0.Add(260*time.Second), time.Minute); got != 0 {
		t.Fatalf("count a window after the last crash: %d", got)
	}
}

func TestAddAndStopErrors(t *testing.T) {
	s := New(Policy{}, nil)
	defer s.Close(context.Background())
	u := newEchoUnit("echo")
	if err := s.Add(t.Context(), u.unit("u")); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(t.Context(), newEchoUnit("echo").unit("u")); !errors.Is(err, ErrRunning) {
		t.Fatalf("second Add: %v, want ErrRunning", err)
	}
	if err := s.Add(t.Context(), Unit{Name: "x"}); err == nil {
		t.Fatal("Add without Start and Serve succeeded")
	}
	if err := s.Stop(t.Context(), "nope"); !errors.Is(err, ErrUnknownUnit) {
		t.Fatalf("Stop of an unknown unit: %v", err)
	}
	if _, err := s.Wait(t.Context(), "nope"); !errors.Is(err, ErrUnknownUnit) {
		t.Fatalf("Wait of an unknown unit: %v", err)
	}
	if st := s.State("nope"); st != (State{}) {
		t.Fatalf("State of an unknown unit: %+v", st)
	}

	boom := errors.New("boom")
	bad := Unit{Name: "bad", Start: func(context.Context) (*Child, error) { return nil, boom }, Serve: u.serve}
	if err := s.Add(t.Context(), bad); !errors.Is(err, boom) {
		t.Fatalf("Add with a failing start: %v", err)
	}
	if st := s.State("bad"); !st.Stopped || st.Reason != "start: boom" || !errors.Is(st.Err, boom) || st.Starts != 0 {
		t.Fatalf("state after a failed start: %+v", st)
	}
	if err := s.Add(t.Context(), Unit{Name: "fake", Start: func(context.Context) (*Child, error) { return &Child{}, nil }, Serve: u.serve}); err == nil {
		t.Fatal("Add accepted a child not made by Spawn")
	}

	// A stopped unit can be added again, with fresh counters.
	if err := s.Stop(t.Context(), "u"); err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(t.Context(), "u"); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if err := s.Add(t.Context(), u.unit("u")); err != nil {
		t.Fatalf("Add after Stop: %v", err)
	}
	if st := s.State("u"); !st.Running || st.Starts != 1 || st.Stopped {
		t.Fatalf("re-added unit: %+v", st)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if f, err := u.call(ctx, "again"); err != nil || string(f.Payload) != "again" {
		t.Fatalf("re-added unit: %q, %v", f.Payload, err)
	}
}

// TestAddCancelled checks that Add's context bounds the first start.
func TestAddCancelled(t *testing.T) {
	s := New(Policy{}, nil)
	defer s.Close(context.Background())
	ctx, cancel := context.WithCancel(t.Context())
	u := newEchoUnit("echo")
	un := u.unit("u")
	un.Start = func(sctx context.Context) (*Child, error) {
		cancel() // the caller gives up during the start
		return u.start(sctx)
	}
	if err := s.Add(ctx, un); !errors.Is(err, context.Canceled) {
		t.Fatalf("Add: %v, want context.Canceled", err)
	}
	if st := s.State("u"); !st.Stopped || st.Running {
		t.Fatalf("state %+v", st)
	}
	if c := u.current(); c != nil { // nil when the start saw the cancel first
		waitGone(t, c.PID, time.Second)
	}
}

// TestClose checks that Close leaves no process: not a running child, not
// its grandchild, not a unit waiting out its backoff.
func TestClose(t *testing.T) {
	s := New(Policy{MaxCrashes: 100, Backoff: func(n int) time.Duration {
		if n > 1 {
			return time.Minute
		}
		return 0
	}}, nil)
	running, parent, crashing := newEchoUnit("echo"), newEchoUnit("ignore-term"), newEchoUnit("exit")
	for name, u := range map[string]*echoUnit{"running": running, "parent": parent, "crashing": crashing} {
		if err := s.Add(t.Context(), u.unit(name)); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	f, err := parent.call(ctx, "grandchild")
	if err != nil {
		t.Fatal(err)
	}
	pids := []int{running.current().PID, parent.current().PID, atoiT(t, string(f.Payload))}
	w := s.Watch("crashing")
	waitState(t, w, 5*time.Second, "the backoff", func(st State) bool { return st.Crashes >= 2 && !st.Running })

	start := time.Now()
	stopCtx, cancelStop := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancelStop()
	if err := s.Close(stopCtx); err != nil {
		t.Fatal(err)
	}
	t.Logf("Close took %v", time.Since(start))
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took %v", d)
	}
	for _, pid := range pids {
		// SIGKILL has been sent to all; a grandchild may take a moment to die.
		waitGone(t, pid, time.Second)
	}
	for _, name := range []string{"running", "parent", "crashing"} {
		if st := s.State(name); !st.Stopped || st.Running || st.Reason != "stopped" {
			t.Errorf("%s after Close: %+v", name, st)
		}
	}
	for range w {
		// drain: Close closes watch channels
	}
	if err := s.Add(t.Context(), running.unit("late")); !errors.Is(err, ErrSupervisorClosed) {
		t.Fatalf("Add after Close: %v", err)
	}
	if _, open := <-s.Watch("late"); open {
		t.Fatal("Watch after Close returned an open channel")
	}
}

// TestWatchKeepsLatest checks the lossy watch keeps the newest state.
func TestWatchKeepsLatest(t *testing.T) {
	ch := make(chan State, 2)
	for i := 1; i <= 5; i++ {
		send(ch, State{Starts: i})
	}
	if a, b := <-ch, <-ch; a.Starts != 4 || b.Starts != 5 {
		t.Fatalf("kept %d and %d, want 4 and 5", a.Starts, b.Starts)
	}
	s := New(Policy{}, nil)
	w := s.Watch("u")
	s.Unwatch("u", w)
	if _, open := <-w; open {
		t.Fatal("Unwatch left the channel open")
	}
	s.Close(context.Background())
}
