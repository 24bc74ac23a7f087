package audit

import (
	"log/slog"

	"golang.org/x/sys/unix"
)

// flusherNice is the nice value of the flusher's thread: 10 gives it about
// a tenth of the weight of a normal thread when both want the CPU.
const flusherNice = 10

// lowerPriority sets the calling thread's nice value to flusherNice. On
// Linux the "process" of PRIO_PROCESS is a thread id; raising one's own
// nice value needs no privilege. A failure only costs latency.
func lowerPriority() {
	if err := unix.Setpriority(unix.PRIO_PROCESS, unix.Gettid(), flusherNice); err != nil {
		slog.Debug("audit flusher keeps its priority", "err", err)
	}
}
