package warden

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"github.com/wardenhq/warden/plugins/store"
)

// While a process runs plugins (bbolt lets one process open a profile),
// other processes change the profile's plugins through it: it listens on
// <profile>/control.sock (0600, in the 0700 profile, and the peer's uid is
// checked) for one JSON request per connection and applies it itself, so
// that revoking or disabling a running plugin closes its window at once.

// ControlRequest is one change asked of the process running a profile's
// plugins, or one read of the profile it holds.
type ControlRequest struct {
	// Op is grant, revoke, enable, disable, open (run the plugin's
	// window), offer-install (show the manager's install dialog for
	// Path) or read.
	Op string `json:"op"`
	// Args are a read's arguments, for the ReadFunc given to ServeControl
	// (for warden's command line: the command and its flags).
	Args []string `json:"args,omitempty"`
	// ID is the plugin's.
	ID string `json:"id"`
	// Path is the bundle an offer-install shows in the manager window.
	Path string `json:"path,omitempty"`
	// Perms are the permissions to grant or revoke.
	Perms []string `json:"perms,omitempty"`
}

// controlReply is its answer: the line describing the plugin's new state,
// or the error.
type controlReply struct {
	Message string `json:"message,omitempty"`
	Error   string `json:"error,omitempty"`
}

// ErrNoRun reports that no process answers on a profile's control socket:
// the caller may open the profile itself.
var ErrNoRun = errors.New("no running warden answers on this profile")

// ControlPath returns the control socket of profile.
func ControlPath(profile string) string { return filepath.Join(profile, "control.sock") }

// ReadFunc answers a read request of the control socket: it writes what
// args ask for (a listing of the plugins, say) to out. It must change
// nothing: the socket carries only the changes Apply makes.
type ReadFunc func(ctx context.Context, args []string, out io.Writer) error

// maxReadOutput bounds a read's reply.
const maxReadOutput = 8 << 20

// ServeControl answers control requests until ctx ends or stop is called.
// Requests are applied one at a time. read answers read requests; nil
// refuses them.
func (w *Warden) ServeControl(ctx context.Context, read ReadFunc) (stop func(), err error) {
	path := ControlPath(w.core.Profile())
	os.Remove(path) // a socket left by a killed process; the profile lock says none other is alive
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, fmt.Errorf("control socket: %w", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.AcceptUnix()
			if err != nil {
				return
			}
			w.handleControl(ctx, c, read)
		}
	}()
	stopOnCancel := context.AfterFunc(ctx, func() { l.Close() })
	return func() { stopOnCancel(); l.Close(); <-done; os.Remove(path) }, nil
}

func (w *Warden) handleControl(ctx context.Context, c *net.UnixConn, read ReadFunc) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if !sameUser(c) {
		return
	}
	var req ControlRequest
	if err := json.NewDecoder(bufio.NewReader(c)).Decode(&req); err != nil {
		return
	}
	var msg string
	var err error
	if req.Op == "read" {
		msg, err = runRead(ctx, read, req.Args)
	} else {
		msg, err = w.Apply(ctx, req)
	}
	rep := controlReply{Message: msg}
	if err != nil {
		rep = controlReply{Error: err.Error()}
	}
	json.NewEncoder(c).Encode(rep)
}

// runRead answers a read request with read's output.
func runRead(ctx context.Context, read ReadFunc, args []string) (string, error) {
	if read == nil {
		return "", errors.New("this warden answers no read requests")
	}
	var b bytes.Buffer
	if err := read(ctx, args, &limitedWriter{w: &b, n: maxReadOutput}); err != nil {
		return "", err
	}
	return b.String(), nil
}

// limitedWriter fails writes past n bytes.
type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if len(p) > l.n {
		return 0, fmt.Errorf("read reply over %d bytes", maxReadOutput)
	}
	l.n -= len(p)
	return l.w.Write(p)
}

// Apply makes one change to the profile's plugins and applies it to the
// running ones at once, and returns the line describing the plugin's new
// state.
func (w *Warden) Apply(ctx context.Context, req ControlRequest) (string, error) {
	var p store.Plugin
	var err error
	switch req.Op {
	case "grant":
		if p, err = w.plugins.Grant(ctx, req.ID, req.Perms); err == nil {
			err = w.Refresh(ctx, req.ID)
		}
	case "revoke":
		if err = w.Revoke(ctx, req.ID, req.Perms); err == nil {
			p, err = w.store.Get(req.ID)
		}
	case "enable":
		if p, err = w.plugins.Enable(ctx, req.ID); err == nil {
			err = w.Refresh(ctx, req.ID)
		}
	case "disable":
		if p, err = w.plugins.Disable(ctx, req.ID, ""); err == nil {
			err = w.Refresh(ctx, req.ID)
		}
	case "open":
		if err = w.Run(ctx, req.ID); err == nil {
			p, err = w.store.Get(req.ID)
		}
	case "offer-install":
		if err := w.OfferInstall(ctx, req.Path); err != nil {
			return "", err
		}
		return "the manager window shows the install dialog for " + req.Path, nil
	default:
		return "", fmt.Errorf("unknown control request %q", req.Op)
	}
	if err != nil {
		return "", err
	}
	return w.Describe(p.ID), nil
}

// Describe is one line saying plugin id's version and state, and whether
// its window is open.
func (w *Warden) Describe(id string) string {
	st, err := w.plugins.Status(id)
	if err != nil {
		return err.Error()
	}
	state := st.State
	if st.Reason != "" {
		state += ": " + st.Reason
	}
	line := fmt.Sprintf("%s %s is %s", st.ID, st.Version, state)
	if w.Running(id) {
		line += " (its window is open)"
	}
	return line
}

// sameUser reports whether the peer runs as this process's user.
func sameUser(c *net.UnixConn) bool {
	raw, err := c.SyscallConn()
	if err != nil {
		return false
	}
	var cred *unix.Ucred
	raw.Control(func(fd uintptr) { cred, err = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED) })
	return err == nil && cred != nil && int(cred.Uid) == os.Getuid()
}

// SendControl asks the process running profile's plugins to make req, and
// returns its line describing the plugin's new state (for a read, the
// read's output). It fails with ErrNoRun when no process answers.
func SendControl(ctx context.Context, profile string, req ControlRequest) (string, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", ControlPath(profile))
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrNoRun, err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(15 * time.Second))
	if err := json.NewEncoder(c).Encode(req); err != nil {
		return "", fmt.Errorf("control request: %w", err)
	}
	var rep controlReply
	if err := json.NewDecoder(c).Decode(&rep); err != nil {
		return "", fmt.Errorf("running warden: %w", err)
	}
	if rep.Error != "" {
		return "", errors.New(rep.Error)
	}
	return rep.Message, nil
}
