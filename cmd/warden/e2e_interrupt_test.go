package main

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/helperproc"
)

// TestE2EInterruptEndsQuietly: warden open and warden run, stopped with
// SIGINT (Ctrl-C) or SIGTERM while their window is up, end with exit
// status 0 and no error, and the audit log holds every request the page
// made, up to the last one before the signal.
func TestE2EInterruptEndsQuietly(t *testing.T) {
	needDisplay(t)
	dir := t.TempDir()
	runProfile := filepath.Join(dir, "run-profile")
	installProbes(t, dir, runProfile, probeIDs[:1])
	probe, err := filepath.Abs(testPlugin("hookprobe"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		sig     syscall.Signal
		profile string
		id      string
		args    []string
	}{
		{"open, SIGINT", syscall.SIGINT, "", "test.warden.hookprobe", []string{"open", probe}},
		{"open, SIGTERM", syscall.SIGTERM, "", "test.warden.hookprobe", []string{"open", probe}},
		{"run, SIGINT", syscall.SIGINT, runProfile, probeIDs[0], []string{"run", "--all"}},
		{"run, SIGTERM", syscall.SIGTERM, runProfile, probeIDs[0], []string{"run", "--all"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prof := tt.profile
			if prof == "" {
				prof = t.TempDir()
			}
			before := len(auditOf(t, prof, tt.id))
			code, stderr := interruptAfter(t, append([]string{"--profile", prof}, tt.args...), "hookprobe storage.set: ", tt.sig)
			if code != 0 || strings.Contains(stderr, "context canceled") || strings.Contains(stderr, "warden: context") {
				t.Errorf("warden %s ended with exit %d on %v; want 0 and no error\n%s", tt.args[0], code, tt.sig, stderr)
			}
			// The page's last request, log, was made just before the
			// signal: it is in the audit only if closing flushed it.
			got := auditOf(t, prof, tt.id)
			got = got[:len(got)-before] // newest first
			for _, want := range []string{"log", "storage.list", "storage.get", "storage.set"} {
				if !slices.Contains(got, want) {
					t.Errorf("the audit lacks %q after %v: %q", want, tt.sig, got)
				}
			}
		})
	}
}

// interruptAfter starts warden with args, waits until its standard error
// shows marker, sends it sig and returns its exit status and standard
// error.
func interruptAfter(t *testing.T, args []string, marker string, sig syscall.Signal) (code int, stderr string) {
	t.Helper()
	cmd := helperproc.Command(wardenRole, args...)
	cmd.Env = helperproc.Env(os.Environ(), wardenRole)
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var log strings.Builder
	seen := make(chan struct{})
	read := make(chan struct{})
	go func() {
		defer close(read)
		once := sync.Once{}
		sc := bufio.NewScanner(pipe)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			mu.Lock()
			log.WriteString(sc.Text() + "\n")
			mu.Unlock()
			if strings.Contains(sc.Text(), marker) {
				once.Do(func() { close(seen) })
			}
		}
	}()
	text := func() string { mu.Lock(); defer mu.Unlock(); return log.String() }
	select {
	case <-seen:
	case <-read:
		cmd.Wait()
		t.Fatalf("warden %s ended before it logged %q:\n%s", args, marker, text())
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("warden %s did not log %q within a minute:\n%s", args, marker, text())
	}
	cmd.Process.Signal(sig)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("warden %s did not end within 20 s of %v:\n%s", args, sig, text())
	}
	<-read
	return cmd.ProcessState.ExitCode(), text()
}
