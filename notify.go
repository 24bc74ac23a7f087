package warden

import (
	"context"

	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/host/notify"
)

// desktopNotifier shows plugins' notifications with the desktop's
// notification server, over D-Bus.
type desktopNotifier struct{ *notify.Notifier }

func (d *desktopNotifier) Notify(ctx context.Context, n host.Notification) (uint32, error) {
	return d.Notifier.Notify(ctx, notify.Notification{App: n.App, Title: n.Title, Body: n.Body})
}
