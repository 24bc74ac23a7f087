package host

import "context"

// An Attachment holds per-plugin resources outside the core, such as the
// window package's supervised webview processes, and lets go of them when
// the core does. The core never starts or supervises a process itself:
// whatever does registers here, so that an unloaded plugin (an admin's
// block, a revoked grant, an uninstall) loses its window at once.
type Attachment interface {
	// Release frees what the attachment holds for plugin id. Unload calls
	// it after the plugin's requests start failing, with ctx bounded by a
	// short grace period (processes still running then are killed).
	Release(ctx context.Context, id string) error
	// Close frees everything. Host.Close calls it before unloading the
	// plugins.
	Close(ctx context.Context) error
}

// Attach registers a with the host. It fails with ErrClosed on a closed
// host. Attachments are released in the order they were attached and
// closed in the reverse order.
func (h *Host) Attach(a Attachment) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return ErrClosed
	}
	h.attachments = append(h.attachments, a)
	return nil
}
