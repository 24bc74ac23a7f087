package host

import (
	"context"
	"fmt"
	"strings"
)

// Notification is a desktop notification a plugin asked for.
type Notification struct {
	// App says who it is from: "<plugin name> (Warden plugin)", set by the
	// core, never by the plugin, so a plugin cannot pass its notifications
	// off as another application's.
	App string
	// Title and Body are the plugin's text, plain text.
	Title, Body string
}

// Notifier shows notifications on the desktop (package notify does it
// over D-Bus). Notify returns the desktop's id for the notification.
type Notifier interface {
	Notify(ctx context.Context, n Notification) (id uint32, err error)
}

// notifyArgs are the arguments of notifications.show.
type notifyArgs struct {
	Title string `json:"title"`
	Body  string `json:"body,omitempty"`
}

// showNotification shows a desktop notification.
func (h *Host) showNotification(ctx context.Context, c *Call) ([]byte, error) {
	var a notifyArgs
	if err := c.DecodeArgs(&a); err != nil {
		return nil, err
	}
	if strings.TrimSpace(a.Title) == "" {
		return nil, Deny(CodeBadArgs, `notifications.show needs a "title"`)
	}
	if h.opts.Notifier == nil {
		return nil, fmt.Errorf("this desktop shows no notifications")
	}
	id, err := h.opts.Notifier.Notify(ctx, Notification{App: c.Plugin.Manifest().Name + " (Warden plugin)", Title: a.Title, Body: a.Body})
	if err != nil {
		return nil, err
	}
	return fmt.Appendf(nil, `{"id":%d}`, id), nil
}
