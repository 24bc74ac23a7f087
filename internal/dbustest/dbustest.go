// Package dbustest starts a private D-Bus session bus (a real dbus-daemon)
// and a notification server on it, for tests of what Warden sends over
// D-Bus.
package dbustest

import (
	"bufio"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// SessionBus starts `dbus-daemon --session` listening on a socket in a
// temporary directory and returns its address; the daemon is stopped when
// the test ends. The test fails when dbus-daemon is not installed
// (scripts/setup.sh installs it).
func SessionBus(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("dbus-daemon")
	if err != nil {
		t.Fatal("needs dbus-daemon (Debian: apt-get install dbus-daemon; scripts/setup.sh does)")
	}
	sock := filepath.Join(t.TempDir(), "bus")
	cmd := exec.Command(bin, "--session", "--nofork", "--nopidfile", "--print-address=1", "--address=unix:path="+sock)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(out).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case addr := <-line:
		if addr == "" {
			t.Fatalf("dbus-daemon printed no address: %s", stderr.String())
		}
		return addr
	case <-time.After(10 * time.Second):
		t.Fatalf("dbus-daemon did not start in 10s: %s", stderr.String())
	}
	return ""
}

// Notification is one call of Notify as the server received it.
type Notification struct {
	App, Icon, Summary, Body string
	ReplacesID               uint32
	Actions                  []string
	Hints                    map[string]dbus.Variant
	Timeout                  int32
}

// Notifications is a notification server: it owns
// org.freedesktop.Notifications on a bus and records every Notify.
type Notifications struct {
	mu   sync.Mutex
	got  []Notification
	more chan struct{}
}

// Notify implements the interface's method; the id is the call's number.
func (n *Notifications) Notify(app string, replaces uint32, icon, summary, body string, actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.got = append(n.got, Notification{App: app, ReplacesID: replaces, Icon: icon, Summary: summary, Body: body, Actions: actions, Hints: hints, Timeout: timeout})
	close(n.more)
	n.more = make(chan struct{})
	return uint32(len(n.got)), nil
}

// GetCapabilities says the server reads body markup, so tests see what a
// server that does would be sent.
func (n *Notifications) GetCapabilities() ([]string, *dbus.Error) {
	return []string{"body", "body-markup"}, nil
}

// GetServerInformation names the server.
func (n *Notifications) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "dbustest", "warden", "1", "1.2", nil
}

// NotificationServer serves notifications on the bus at addr until the
// test ends.
func NotificationServer(t testing.TB, addr string) *Notifications {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	n := &Notifications{more: make(chan struct{})}
	if err := conn.Export(n, "/org/freedesktop/Notifications", "org.freedesktop.Notifications"); err != nil {
		t.Fatal(err)
	}
	reply, err := conn.RequestName("org.freedesktop.Notifications", dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own org.freedesktop.Notifications: %v (reply %d)", err, reply)
	}
	return n
}

// Wait returns the notifications received once there are at least n, or
// an error when ctx ends first.
func (n *Notifications) Wait(ctx context.Context, count int) ([]Notification, error) {
	for {
		n.mu.Lock()
		if len(n.got) >= count {
			got := append([]Notification(nil), n.got...)
			n.mu.Unlock()
			return got, nil
		}
		more := n.more
		have := len(n.got)
		n.mu.Unlock()
		select {
		case <-more:
		case <-ctx.Done():
			return nil, fmt.Errorf("%d notification(s) received, want %d: %w", have, count, ctx.Err())
		}
	}
}

// Received returns the notifications received so far.
func (n *Notifications) Received() []Notification {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]Notification(nil), n.got...)
}
