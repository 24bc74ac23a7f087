// Package notify shows desktop notifications through the freedesktop
// Notifications interface (org.freedesktop.Notifications on the session
// D-Bus), which GNOME, KDE, dunst, mako and the others serve.
//
// It sends text only: the body is escaped so that a server that reads
// markup shows it as typed, there are no actions, and the icon is never a
// path a caller chose. Who the notification is from is the caller's
// business (the host passes the plugin's name as the application).
package notify

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/godbus/dbus/v5"
)

// The interface's names.
const (
	busName    = "org.freedesktop.Notifications"
	objectPath = "/org/freedesktop/Notifications"
	method     = busName + ".Notify"
)

// Limits on what one notification may carry; longer text is cut.
const (
	MaxTitle = 120
	MaxBody  = 1000
)

// ErrNoBus reports that there is no session bus to reach (no
// DBUS_SESSION_BUS_ADDRESS and none given).
var ErrNoBus = errors.New("no D-Bus session bus")

// ErrNoServer reports a session bus on which nothing serves notifications.
var ErrNoServer = errors.New("no notification server on the session bus")

// Notification is one message to show.
type Notification struct {
	// App names who it is from, shown by the server beside the text.
	App string
	// Title is the summary line; Body the text under it (plain text).
	Title, Body string
}

// Notifier sends notifications over one session bus connection, made on
// first use and kept. It is safe for concurrent use.
type Notifier struct {
	address string

	mu   sync.Mutex
	conn *dbus.Conn
}

// New returns a Notifier for the session bus at address; "" means
// $DBUS_SESSION_BUS_ADDRESS at the first Notify. It does not connect.
func New(address string) *Notifier { return &Notifier{address: address} }

// Notify shows n and returns the server's id for it. It costs one D-Bus
// round trip (plus connecting and authenticating, the first time).
func (s *Notifier) Notify(ctx context.Context, n Notification) (uint32, error) {
	conn, err := s.connect(ctx)
	if err != nil {
		return 0, err
	}
	app := clip(oneLine(n.App), MaxTitle)
	title := clip(oneLine(n.Title), MaxTitle)
	body := escapeMarkup(clip(n.Body, MaxBody))
	call := conn.Object(busName, objectPath).CallWithContext(ctx, method, 0,
		app, uint32(0), "", title, body, []string{}, map[string]dbus.Variant{}, int32(-1))
	if call.Err != nil {
		var de dbus.Error
		if errors.As(call.Err, &de) && de.Name == "org.freedesktop.DBus.Error.ServiceUnknown" {
			return 0, fmt.Errorf("notify: %w", ErrNoServer)
		}
		if ctx.Err() != nil {
			return 0, fmt.Errorf("notify: %w", ctx.Err())
		}
		s.drop(conn)
		return 0, fmt.Errorf("notify: %w", call.Err)
	}
	var id uint32
	if err := call.Store(&id); err != nil {
		return 0, fmt.Errorf("notify: reply: %w", err)
	}
	return id, nil
}

// Close closes the bus connection, if one was made.
func (s *Notifier) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return nil
	}
	err := s.conn.Close()
	s.conn = nil
	return err
}

func (s *Notifier) connect(ctx context.Context) (*dbus.Conn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil && s.conn.Connected() {
		return s.conn, nil
	}
	addr := s.address
	if addr == "" {
		addr = os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	}
	if addr == "" {
		return nil, fmt.Errorf("notify: %w", ErrNoBus)
	}
	conn, err := dbus.Connect(addr, dbus.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("notify: session bus %s: %w", addr, err)
	}
	s.conn = conn
	return conn, nil
}

// drop forgets conn after a failure, so the next call reconnects.
func (s *Notifier) drop(conn *dbus.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == conn {
		s.conn.Close()
		s.conn = nil
	}
}

// clip cuts s to at most n runes, keeping it valid UTF-8.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// oneLine replaces line breaks and other control characters with spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// escapeMarkup makes the body plain text for servers that read the
// specification's markup (<b>, <a href>, <img>): the text shows as typed.
var escapeMarkup = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace
