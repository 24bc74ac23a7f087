package audit

import (
	"log/slog"
	"unsafe"

	"golang.org/x/sys/unix"
)

// flusherNice is the nice value of the flusher's thread, should the
// kernel refuse SCHED_IDLE.
const flusherNice = 19

// lowerPriority puts the calling thread under SCHED_IDLE: any thread of
// normal priority that wakes on its CPU takes it at once. Lowering one's
// own policy needs no privilege. A failure only costs latency.
func lowerPriority() {
	attr := unix.SchedAttr{Size: uint32(unsafe.Sizeof(unix.SchedAttr{})), Policy: unix.SCHED_IDLE}
	if err := unix.SchedSetAttr(0, &attr, 0); err != nil {
		slog.Debug("audit flusher keeps its priority", "err", err)
		unix.Setpriority(unix.PRIO_PROCESS, unix.Gettid(), flusherNice)
	}
}
