package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"github.com/wardenhq/warden/plugins/manager"
	"github.com/wardenhq/warden/plugins/store"
)

// While `warden run` holds a profile (bbolt lets one process open it),
// other warden processes change its plugins through the run process: it
// listens on <profile>/control.sock (0600, in the 0700 profile, and the
// peer's uid is checked) for one JSON request per connection and applies
// it with its own manager and runner, so that revoking or disabling a
// running plugin closes its window at once.

// controlRequest is one change asked of a running warden.
type controlRequest struct {
	Op    string   `json:"op"` // grant, revoke, enable, disable
	ID    string   `json:"id"`
	Perms []string `json:"perms,omitempty"`
}

// controlReply is its answer: the message the command prints, or the error.
type controlReply struct {
	Message string `json:"message,omitempty"`
	Error   string `json:"error,omitempty"`
}

func controlPath(profile string) string { return filepath.Join(profile, "control.sock") }

// serveControl answers control requests until ctx ends.
func serveControl(ctx context.Context, s *session, r *manager.Runner) (stop func(), err error) {
	path := controlPath(s.h.Profile())
	os.Remove(path) // a socket left by a killed run; the profile lock says no other run is alive
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.AcceptUnix()
			if err != nil {
				return
			}
			handleControl(ctx, s, r, c)
		}
	}()
	return func() { l.Close(); <-done; os.Remove(path) }, nil
}

func handleControl(ctx context.Context, s *session, r *manager.Runner, c *net.UnixConn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if !sameUser(c) {
		return
	}
	var req controlRequest
	if err := json.NewDecoder(bufio.NewReader(c)).Decode(&req); err != nil {
		return
	}
	msg, err := applyControl(ctx, s, r, req)
	rep := controlReply{Message: msg}
	if err != nil {
		rep = controlReply{Error: err.Error()}
	}
	json.NewEncoder(c).Encode(rep)
}

// applyControl makes one change with the running process's manager.
func applyControl(ctx context.Context, s *session, r *manager.Runner, req controlRequest) (string, error) {
	var p store.Plugin
	var err error
	switch req.Op {
	case "grant":
		if p, err = s.m.Grant(ctx, req.ID, req.Perms); err == nil {
			err = r.Refresh(ctx, req.ID)
		}
	case "revoke":
		if err = r.Revoke(ctx, req.ID, req.Perms); err == nil {
			p, err = s.st.Get(req.ID)
		}
	case "enable":
		if p, err = s.m.Enable(ctx, req.ID); err == nil {
			err = r.Refresh(ctx, req.ID)
		}
	case "disable":
		if p, err = s.m.Disable(ctx, req.ID, ""); err == nil {
			err = r.Refresh(ctx, req.ID)
		}
	default:
		return "", fmt.Errorf("unknown control request %q", req.Op)
	}
	if err != nil {
		return "", err
	}
	return describeState(s, p.ID, r), nil
}

// describeState is the last line of a change command's output.
func describeState(s *session, id string, r *manager.Runner) string {
	st, err := s.m.Status(id)
	if err != nil {
		return err.Error()
	}
	state := st.State
	if st.Reason != "" {
		state += ": " + st.Reason
	}
	line := fmt.Sprintf("%s %s is %s", st.ID, st.Version, state)
	if r != nil && r.Running(id) {
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

// errNoRun reports that no warden run answers on the profile.
var errNoRun = errors.New("no running warden answers on this profile")

// sendControl asks the warden running on profile to make req.
func sendControl(ctx context.Context, profile string, req controlRequest) (string, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", controlPath(profile))
	if err != nil {
		return "", fmt.Errorf("%w: %w", errNoRun, err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(15 * time.Second))
	if err := json.NewEncoder(c).Encode(req); err != nil {
		return "", err
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
