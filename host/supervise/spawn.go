package supervise

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"syscall"

	"github.com/wardenhq/warden/host/ipc"
)

// Spec says how to start a child.
type Spec struct {
	// Path is the executable; Args are its arguments (without argv[0]).
	Path string
	Args []string
	// Env is the child's environment; nil means this process's.
	Env []string
	// Stdout and Stderr receive the child's output; nil discards it. A
	// writer that is not an *os.File is fed by a goroutine, so one shared by
	// several children must be safe for concurrent use.
	Stdout, Stderr io.Writer
	// Dir is the working directory; "" means this process's.
	Dir string
	// Extra is the number of further socketpairs to make: the child gets
	// their ends as fd 4, 5, ... and the core's ends are Child.Extra.
	Extra int
	// NoNetwork starts the child in a new, empty network namespace (with
	// a user namespace when the core is not root): nothing the child or
	// its descendants do reaches any network address, loopback included.
	// When the kernel refuses, Spawn fails with an error wrapping
	// ErrNoNetworkNamespace and the caller decides whether to spawn again
	// without it.
	NoNetwork bool
}

// Spawn starts spec.Path with one end of a fresh socketpair as fd 3 (and
// of spec.Extra more as fd 4, 5, ...) and returns the running child with
// the core's ends as Child.Conn and Child.Extra.
//
// The child gets its own process group, so Kill and Stop reach every
// process it starts, and SIGKILL as its parent-death signal, so it dies
// with the core even on kill -9. ctx bounds the start only: the child
// outlives it and ends with Kill, Stop or its own exit. Each Spawn costs a
// fork and exec plus one goroutine that waits for the child (and one per
// output writer that is not an *os.File).
func Spawn(ctx context.Context, spec Spec) (*Child, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("spawn %s: %w", spec.Path, err)
	}
	var conns []net.Conn
	var peers []*os.File
	// The child's copies are dup'ed into it; the core keeps none, so the
	// core's ends read EOF once the child's tree is gone.
	defer func() {
		for _, p := range peers {
			p.Close()
		}
	}()
	closeConns := func() {
		for _, c := range conns {
			c.Close()
		}
	}
	for range 1 + max(spec.Extra, 0) {
		nc, peer, err := socketpair()
		if err != nil {
			closeConns()
			return nil, fmt.Errorf("spawn %s: %w", spec.Path, err)
		}
		conns, peers = append(conns, nc), append(peers, peer)
	}
	nc := conns[0]

	cmd := exec.Command(spec.Path, spec.Args...)
	cmd.Env = spec.Env
	cmd.Dir = spec.Dir
	cmd.ExtraFiles = peers
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if spec.NoNetwork {
		isolateNetwork(cmd.SysProcAttr)
	}
	var outs outputs
	var err error
	if cmd.Stdout, err = outs.add(spec.Stdout); err == nil {
		cmd.Stderr, err = outs.add(spec.Stderr)
	}
	if err == nil {
		err = startOnSpawnThread(ctx, cmd)
		if err != nil && spec.NoNetwork {
			err = namespaceError(err)
		}
	}
	outs.closeWriteEnds()
	if err != nil {
		outs.closeReadEnds()
		closeConns()
		return nil, fmt.Errorf("spawn %s: %w", spec.Path, err)
	}
	outs.copy()

	c := &Child{Cmd: cmd, Conn: ipc.NewConn(nc, 0), PID: cmd.Process.Pid, done: make(chan struct{})}
	for _, e := range conns[1:] {
		c.Extra = append(c.Extra, ipc.NewConn(e, 0))
	}
	go func() {
		c.err = cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

// socketpair returns the core's end of a new socketpair as a net.Conn (the
// netpoller makes Close interrupt a blocked Recv) and the child's end.
func socketpair() (net.Conn, *os.File, error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("socketpair: %w", err)
	}
	core := os.NewFile(uintptr(fds[0]), "warden-ipc-core")
	peer := os.NewFile(uintptr(fds[1]), "warden-ipc")
	nc, err := net.FileConn(core) // dups
	core.Close()
	if err != nil {
		peer.Close()
		return nil, nil, err
	}
	return nc, peer, nil
}

// outputs are the pipes Spawn makes for writers that are not files. Spawn
// copies from them itself rather than letting exec.Cmd do it, so that
// Child.Wait returns when the child exits even while a grandchild still
// holds the pipe open.
type outputs struct {
	pipes []outPipe
}

type outPipe struct {
	r, w *os.File
	dst  io.Writer
}

// add returns what to give exec.Cmd for dst.
func (o *outputs) add(dst io.Writer) (io.Writer, error) {
	if dst == nil {
		return nil, nil // exec.Cmd connects the null device
	}
	if f, ok := dst.(*os.File); ok {
		return f, nil
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("output pipe: %w", err)
	}
	o.pipes = append(o.pipes, outPipe{r: r, w: w, dst: dst})
	return w, nil
}

func (o *outputs) closeWriteEnds() {
	for _, p := range o.pipes {
		p.w.Close()
	}
}

func (o *outputs) closeReadEnds() {
	for _, p := range o.pipes {
		p.r.Close()
	}
}

// copy feeds each writer until every holder of the pipe (the child and
// anything it started) has exited.
func (o *outputs) copy() {
	for _, p := range o.pipes {
		go func() {
			io.Copy(p.dst, p.r)
			p.r.Close()
		}()
	}
}

// The parent-death signal fires when the *thread* that forked the child
// exits, not the process. Go keeps its threads for the life of the process
// except one whose goroutine exits while locked to it, so a Spawn called
// from such a goroutine would have its child killed at a random later time.
// Every child is therefore forked from one goroutine locked to its thread
// that never exits. Starts are serialised through it, which costs one
// channel hand-off per start, next to a fork and exec.
var (
	spawnOnce sync.Once
	spawnReq  chan spawnJob
)

type spawnJob struct {
	cmd  *exec.Cmd
	done chan error
}

func startOnSpawnThread(ctx context.Context, cmd *exec.Cmd) error {
	spawnOnce.Do(func() {
		spawnReq = make(chan spawnJob)
		go func() {
			runtime.LockOSThread() // never unlocked: this thread must outlive every child
			for j := range spawnReq {
				j.done <- j.cmd.Start()
			}
		}()
	})
	j := spawnJob{cmd: cmd, done: make(chan error, 1)}
	select {
	case spawnReq <- j:
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-j.done
}
