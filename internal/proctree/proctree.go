// Package proctree reads a process tree from /proc for Warden's tests and
// benchmarks: which processes a process started, and the CPU time they
// used. It is Linux only, like Warden's windows.
package proctree

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// Descendants returns the processes below pid (children, their children,
// ...), parents before their children. It reads /proc/*/stat once: a
// process that starts or ends meanwhile may be missed.
func Descendants(pid int) []int {
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		f, ok := statFields(p)
		if !ok || len(f) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		children[ppid] = append(children[ppid], p)
	}
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			out = append(out, c)
			queue = append(queue, c)
		}
	}
	return out
}

// CPU returns the CPU time (user and system) process p has used, with that
// of its children it has waited for; 0 when p is gone. The kernel counts
// it in ticks of 10 ms: measure over thousands of operations.
func CPU(p int) time.Duration {
	f, ok := statFields(p)
	if !ok {
		return 0
	}
	var ticks int64
	for _, i := range []int{11, 12, 13, 14} { // utime, stime, cutime, cstime
		if i < len(f) {
			v, _ := strconv.ParseInt(f[i], 10, 64)
			ticks += v
		}
	}
	return time.Duration(ticks) * time.Second / clockTicks
}

// SplitCPU returns the CPU time of pid itself and that of every process
// below it, read now.
func SplitCPU(pid int) (own, below time.Duration) {
	for _, p := range Descendants(pid) {
		below += CPU(p)
	}
	return CPU(pid), below
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's times: 100 on every
// Linux Warden runs on.
const clockTicks = 100

// statFields returns the fields of /proc/p/stat after the command name
// (state first), which is in parentheses and may hold spaces.
func statFields(p int) ([]string, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(p) + "/stat")
	if err != nil {
		return nil, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 > len(s) {
		return nil, false
	}
	return strings.Fields(s[i+2:]), true
}
