package supervise

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wardenhq/warden/host/ipc"
	"github.com/wardenhq/warden/internal/helperproc"
)

// The tests re-execute the test binary as fake children (see
// internal/helperproc), one role each:
//
//	echo         speaks ipc on fd 3 (see serveEcho); exits 0 on SIGTERM
//	echo-extra   as echo, and echoes every frame on fd 4 too
//	ignore-term  as echo, but ignores SIGTERM
//	exit         exits 1 at once
//	sleep        sleeps (a grandchild)
//	core         Spawns an echo child, prints its pid, sleeps (a core to kill -9)
//	core-thread  as core, but Spawns from a goroutine that exits locked to its thread
//	dial         dials $WARDEN_SUPERVISE_DIAL over TCP and UDP, prints the interfaces and each result
func TestMain(m *testing.M) {
	helperproc.Roles{
		"echo": func() int {
			sig := make(chan os.Signal, 1)
			signal.Notify(sig, syscall.SIGTERM)
			go func() {
				<-sig
				os.Exit(0)
			}()
			return serveEcho()
		},
		"echo-extra": func() int {
			go func() {
				conn := ipc.NewConn(os.NewFile(4, "extra"), 0)
				for {
					fr, err := conn.Recv()
					if err != nil {
						return
					}
					conn.Send(fr)
				}
			}()
			return serveEcho()
		},
		"ignore-term": func() int {
			signal.Ignore(syscall.SIGTERM)
			return serveEcho()
		},
		"exit": func() int { return 1 },
		"dial": func() int { return dialOut(os.Getenv("WARDEN_SUPERVISE_DIAL")) },
		"sleep": func() int {
			time.Sleep(time.Minute) // bounded, in case a test fails to kill it
			return 0
		},
		"core":        func() int { return fakeCore(false) },
		"core-thread": func() int { return fakeCore(true) },
	}.Dispatch()
	os.Exit(m.Run())
}

// fakeCore Spawns an echo child, prints its pid and sleeps; onThread
// Spawns from a goroutine that exits locked to its thread.
func fakeCore(onThread bool) int {
	var c *Child
	var err error
	spawn := func() { c, err = Spawn(context.Background(), helperSpec("echo", nil)) }
	if !onThread {
		spawn()
	} else {
		// Keep this goroutine on the main thread, which Go never
		// terminates, so that the one below runs on another thread.
		runtime.LockOSThread()
		done := make(chan struct{})
		go func() {
			runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
			spawn()
			close(done)
		}()
		<-done
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	fmt.Println(c.PID)
	time.Sleep(time.Minute)
	return 0
}

// serveEcho answers frames on fd 3. It echoes each frame back, except:
// TypeShutdown exits 0; payload "crash" exits 3; "close" sends TypeClosed
// and exits 0; "grandchild" starts a sleeping grandchild in its process
// group and answers with its pid. EOF exits 0.
func serveEcho() int {
	f := os.NewFile(3, "ipc")
	conn := ipc.NewConn(f, 0)
	for {
		fr, err := conn.Recv()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return 0
			}
			fmt.Fprintln(os.Stderr, "recv:", err)
			return 4
		}
		if fr.Type == ipc.TypeShutdown {
			return 0
		}
		switch string(fr.Payload) {
		case "crash":
			return 3
		case "close":
			conn.Send(ipc.Frame{Type: ipc.TypeClosed})
			return 0
		case "grandchild":
			cmd := helperCommand("sleep")
			if err := cmd.Start(); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 4
			}
			fr.Payload = strconv.AppendInt(nil, int64(cmd.Process.Pid), 10)
		}
		if err := conn.Send(fr); err != nil {
			return 4
		}
	}
}

// helperCommand is the command of a fake child in role. The race
// detector's one-second pause at exit is turned off: the tests time exits.
func helperCommand(role string) *exec.Cmd {
	cmd := helperproc.Command(role)
	cmd.Env = append(cmd.Env, "GORACE=atexit_sleep_ms=0")
	return cmd
}

// helperSpec is the Spec of a fake child in role.
func helperSpec(role string, stderr io.Writer) Spec {
	cmd := helperCommand(role)
	return Spec{Path: cmd.Path, Args: cmd.Args[1:], Env: cmd.Env, Stderr: stderr}
}

// alive reports whether pid is a live process (a zombie counts as dead).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return false
	}
	state := b[i+2]
	return state != 'Z' && state != 'X'
}

// waitGone fails t unless pid is dead within d.
func waitGone(t *testing.T, pid int, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for alive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("process %d still alive after %v", pid, d)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// roundTrip sends payload on c and waits for the echo.
func roundTrip(t *testing.T, c *Child, id uint32, payload string) ipc.Frame {
	t.Helper()
	if err := c.Conn.Send(ipc.Frame{Type: ipc.TypeInvoke, ID: id, Payload: []byte(payload)}); err != nil {
		t.Fatalf("send: %v", err)
	}
	got := make(chan ipc.Frame, 1)
	errc := make(chan error, 1)
	go func() {
		f, err := c.Conn.Recv()
		if err != nil {
			errc <- err
			return
		}
		got <- f
	}()
	select {
	case f := <-got:
		return f
	case err := <-errc:
		t.Fatalf("recv: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("no reply within 5 s")
	}
	return ipc.Frame{}
}

// echoUnit is a supervised fake child with a Serve that routes echoed
// frames to callers of call.
type echoUnit struct {
	mode   string
	stderr helperproc.Output

	mu      sync.Mutex
	child   *Child
	pending map[uint32]chan ipc.Frame
	nextID  uint32
}

func newEchoUnit(mode string) *echoUnit {
	return &echoUnit{mode: mode, pending: map[uint32]chan ipc.Frame{}}
}

func (e *echoUnit) unit(name string) Unit {
	return Unit{Name: name, Start: e.start, Serve: e.serve}
}

func (e *echoUnit) start(ctx context.Context) (*Child, error) {
	c, err := Spawn(ctx, helperSpec(e.mode, &e.stderr))
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.child = c
	e.mu.Unlock()
	return c, nil
}

// serve ends the run with ErrClosed on TypeClosed, with ErrShutdown when
// the echo of "serve-shutdown" arrives and with a protocol error on the
// echo of "serve-fail".
func (e *echoUnit) serve(ctx context.Context, c *Child) error {
	for {
		f, err := c.Conn.Recv()
		if err != nil {
			return fmt.Errorf("recv: %w", err)
		}
		if f.Type == ipc.TypeClosed {
			return ErrClosed
		}
		switch string(f.Payload) {
		case "serve-shutdown":
			return ErrShutdown
		case "serve-fail":
			return errors.New("unexpected frame")
		}
		e.mu.Lock()
		ch := e.pending[f.ID]
		delete(e.pending, f.ID)
		e.mu.Unlock()
		if ch != nil {
			ch <- f
		}
	}
}

// current returns the child of the latest start.
func (e *echoUnit) current() *Child {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.child
}

// call sends payload to the current child and waits for its echo.
func (e *echoUnit) call(ctx context.Context, payload string) (ipc.Frame, error) {
	ch := make(chan ipc.Frame, 1)
	e.mu.Lock()
	e.nextID++
	id, c := e.nextID, e.child
	e.pending[id] = ch
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		delete(e.pending, id)
		e.mu.Unlock()
	}()
	if err := c.Conn.Send(ipc.Frame{Type: ipc.TypeInvoke, ID: id, Payload: []byte(payload)}); err != nil {
		return ipc.Frame{}, err
	}
	select {
	case f := <-ch:
		return f, nil
	case <-ctx.Done():
		return ipc.Frame{}, ctx.Err()
	}
}

// send sends payload to the current child without waiting.
func (e *echoUnit) send(t *testing.T, payload string) {
	t.Helper()
	if err := e.current().Conn.Send(ipc.Frame{Type: ipc.TypeInvoke, Payload: []byte(payload)}); err != nil {
		t.Fatalf("send %q: %v", payload, err)
	}
}

// waitState reads w until a state satisfies ok, failing t after d.
func waitState(t *testing.T, w <-chan State, d time.Duration, what string, ok func(State) bool) State {
	t.Helper()
	timeout := time.After(d)
	var last State
	for {
		select {
		case st, open := <-w:
			if !open {
				t.Fatalf("watch closed waiting for %s; last %+v", what, last)
			}
			if ok(st) {
				return st
			}
			last = st
		case <-timeout:
			t.Fatalf("no state with %s within %v; last %+v", what, d, last)
		}
	}
}

// readPID reads the first line of r as a pid, failing t after 5 s.
func readPID(t *testing.T, r io.Reader) int {
	t.Helper()
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- s
	}()
	select {
	case s := <-line:
		pid, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			t.Fatalf("helper printed %q: %v", s, err)
		}
		return pid
	case <-time.After(5 * time.Second):
		t.Fatal("helper printed no pid within 5 s")
	}
	return 0
}
