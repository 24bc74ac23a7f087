package host

import (
	"time"

	"github.com/wardenhq/warden/host/ipc"
)

// Limits are the core's per-plugin resource bounds. Zero fields take the
// defaults from [DefaultLimits]; admin policy may lower them.
type Limits struct {
	// MaxEnvelope bounds one envelope on the wire, in bytes. A larger
	// invoke frame is refused from its header, unread.
	MaxEnvelope int
	// MaxReply bounds one encoded reply (and one event) sent to the UI, in
	// bytes; a larger result becomes a reply_too_large error. It is capped
	// below the IPC frame limit, so a reply can always be delivered. It also
	// bounds backend output and results handed back to a backend.
	MaxReply int
	// Rate is the sustained invokes per second per plugin (token bucket);
	// Burst is how many may arrive at once. Rate < 0 disables the limit.
	Rate  float64
	Burst int
	// MaxInFlight bounds one plugin's requests running at once.
	MaxInFlight int
	// StorageQuota bounds one plugin's storage (keys plus values), in bytes.
	StorageQuota int64
	// MaxFileRead and MaxFileWrite bound fs.read and fs.write, in bytes.
	MaxFileRead  int64
	MaxFileWrite int64
	// MaxTimeout caps the backend timeout a manifest may ask for;
	// MaxMemoryMB caps its memory.
	MaxTimeout  time.Duration
	MaxMemoryMB int
}

// DefaultLimits are the limits used where [Options.Limits] leaves a zero.
var DefaultLimits = Limits{
	MaxEnvelope:  1 << 20,
	MaxReply:     6 << 20,
	Rate:         10000,
	Burst:        2000,
	MaxInFlight:  64,
	StorageQuota: 10 << 20,
	MaxFileRead:  16 << 20,
	MaxFileWrite: 16 << 20,
	MaxTimeout:   30 * time.Second,
	MaxMemoryMB:  512,
}

// withDefaults fills zero fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.MaxEnvelope <= 0 {
		l.MaxEnvelope = d.MaxEnvelope
	}
	if l.MaxReply <= 0 {
		l.MaxReply = d.MaxReply
	}
	l.MaxReply = min(l.MaxReply, maxReplyPayload)
	if l.Rate == 0 {
		l.Rate = d.Rate
	}
	if l.Burst <= 0 {
		l.Burst = d.Burst
	}
	if l.MaxInFlight <= 0 {
		l.MaxInFlight = d.MaxInFlight
	}
	if l.StorageQuota <= 0 {
		l.StorageQuota = d.StorageQuota
	}
	if l.MaxFileRead <= 0 {
		l.MaxFileRead = d.MaxFileRead
	}
	if l.MaxFileWrite <= 0 {
		l.MaxFileWrite = d.MaxFileWrite
	}
	if l.MaxTimeout <= 0 {
		l.MaxTimeout = d.MaxTimeout
	}
	if l.MaxMemoryMB <= 0 {
		l.MaxMemoryMB = d.MaxMemoryMB
	}
	return l
}

// maxReplyPayload is the largest reply payload one IPC frame carries.
const maxReplyPayload = ipc.MaxFrame - 5
