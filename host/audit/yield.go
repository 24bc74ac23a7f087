package audit

import "golang.org/x/sys/unix"

// yieldEvery is how many entries the flusher writes between two yields of
// its CPU: about 40 us of encoding and B-tree work.
const yieldEvery = 16

// yield is yieldCPU; tests count its calls.
var yield = yieldCPU

// yieldCPU lets any thread waiting for this CPU run first (sched_yield).
//
// The flusher's work comes in bursts, up to a millisecond every
// FlushInterval under load, and the kernel let a thread that had a
// plugin's request to answer wait behind a whole burst on the flusher's
// CPU while the other CPU sat idle (perf sched: waits of 0.6-0.9 ms). A
// lower priority for the flusher's thread would do the same, but under
// SCHED_IDLE, or a high nice value, a machine busy with other work would
// starve it, and a full queue blocks every request. A yield only lets
// waiting threads go first; the flusher keeps its share.
func yieldCPU() {
	unix.Syscall(unix.SYS_SCHED_YIELD, 0, 0, 0)
}
