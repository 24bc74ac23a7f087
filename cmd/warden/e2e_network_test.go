package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/host"
	"github.com/wardenhq/warden/host/audit"
	"github.com/wardenhq/warden/host/window"
	"github.com/wardenhq/warden/internal/helperproc"
	"github.com/wardenhq/warden/internal/proctree"
)

// loopbackListener accepts TCP connections on 127.0.0.1 and remembers
// each, with the first bytes it received: a preconnect is a connection
// with no request, which an HTTP handler would never see.
type loopbackListener struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []string
}

func listenLoopback(t *testing.T) *loopbackListener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &loopbackListener{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetReadDeadline(time.Now().Add(2 * time.Second))
				buf := make([]byte, 256)
				n, _ := c.Read(buf)
				l.mu.Lock()
				l.conns = append(l.conns, fmt.Sprintf("from %s: %q", c.RemoteAddr(), buf[:n]))
				l.mu.Unlock()
			}()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return l
}

func (l *loopbackListener) seen() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.conns...)
}

// netprobe copies testdata/plugins/netprobe with its placeholders aimed
// at target ("127.0.0.1:port").
func netprobe(t *testing.T, target string) string {
	t.Helper()
	_, port, err := net.SplitHostPort(target)
	if err != nil {
		t.Fatal(err)
	}
	src, dst := testPlugin("netprobe"), t.TempDir()
	err = filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		s := strings.ReplaceAll(strings.ReplaceAll(string(b), "__TARGET__", target), "__PORT__", port)
		return os.WriteFile(filepath.Join(dst, rel), []byte(s), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// straced runs the webview process, and everything it starts, under
// strace, recording every connect and send with the address it names.
// It fails (never skips) without strace.
func straced(t *testing.T, opts window.Options) (window.Options, string) {
	t.Helper()
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Fatalf("strace is needed to watch the web stack's system calls (apt-get install strace; scripts/setup.sh installs it): %v", err)
	}
	// -ff: one file per thread, so that no call is split across lines.
	out := filepath.Join(t.TempDir(), "strace")
	args := []string{"-ff", "-qq", "-e", "trace=connect,sendto,sendmsg,sendmmsg", "-o", out, opts.Executable}
	opts.Args = append(args, opts.Args...)
	opts.Executable = strace
	return opts, out
}

// inetCall matches a traced connect or send that names an IPv4 or IPv6
// address; connects and sends on Unix sockets (the X server, D-Bus,
// WebKit's own socketpairs) and netlink do not.
var inetCall = regexp.MustCompile(`\b(connect|sendto|sendmsg|sendmmsg)\(.*sa_family=AF_INET6?\b`)

// failed matches a traced call's result that is an error.
var failed = regexp.MustCompile(`= -1 E[A-Z]+`)

// inetCalls returns the traced calls (of the files strace wrote at
// prefix, one per thread) that named an internet address, and those of
// them that did not fail (a non-blocking connect in progress counts as
// going through).
func inetCalls(t *testing.T, prefix string) (all, succeeded []string) {
	t.Helper()
	files, err := filepath.Glob(prefix + ".*")
	if err != nil || len(files) == 0 {
		t.Fatalf("strace wrote no log at %s: it did not trace the webview process tree", prefix)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for line := range strings.Lines(string(b)) {
			line = strings.TrimSpace(line)
			if !inetCall.MatchString(line) {
				continue
			}
			all = append(all, line)
			if !failed.MatchString(line) || strings.Contains(line, "EINPROGRESS") {
				succeeded = append(succeeded, line)
			}
		}
	}
	return all, succeeded
}

// probeNetwork opens the netprobe plugin with opts, runs its page's
// probe (kinds: "links" or "all") and stops the window, so that strace
// has written everything.
func probeNetwork(t *testing.T, opts window.Options, kinds string) (*loopbackListener, window.NetworkIsolation) {
	t.Helper()
	l := listenLoopback(t)
	h := e2eHost(t, host.Options{})
	opts.X, opts.Y = 40, 40
	p, ui := openPlugin(t, h, netprobe(t, l.ln.Addr().String()), nil, opts)
	var done []string
	eval(t, ui, `return await window.probe(`+jsString(l.ln.Addr().String())+`, `+jsString(kinds)+`)`, &done)
	t.Logf("the page asked for: %q", done)
	if kinds == "all" {
		// A user's click, which a script cannot fake: with WebKit's
		// preconnect on, it connects to the link's host at once, before
		// the navigation is refused.
		for _, id := range []string{"blank", "same"} {
			userClick(t, ui, opts, id)
		}
		time.Sleep(1500 * time.Millisecond)
	}
	network := ui.Network()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := windowsOf(h).Stop(ctx, p.ID()); err != nil {
		t.Fatal(err)
	}
	return l, network
}

// userClick clicks the element with id in the window through the X
// server (xdotool), as a user would, and checks that the page saw a
// trusted click on it. The window is placed at opts.X, opts.Y; under Xvfb
// there is no window manager, so no decoration shifts it.
func userClick(t *testing.T, ui *window.Window, opts window.Options, id string) {
	t.Helper()
	xdotool, err := exec.LookPath("xdotool")
	if err != nil {
		t.Fatalf("xdotool is needed to click as a user (apt-get install xdotool; scripts/setup.sh installs it): %v", err)
	}
	var r struct{ X, Y float64 }
	eval(t, ui, `var b = document.getElementById(`+jsString(id)+`).getBoundingClientRect(); return {x: b.x + b.width / 2, y: b.y + b.height / 2}`, &r)
	x, y := opts.X+int(r.X), opts.Y+int(r.Y)
	if out, err := exec.Command(xdotool, "mousemove", strconv.Itoa(x), strconv.Itoa(y), "sleep", "0.2", "click", "1").CombinedOutput(); err != nil {
		t.Fatalf("xdotool click at %d,%d: %v: %s", x, y, err, out)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		var clicks []string
		eval(t, ui, `return window.trustedClicks`, &clicks)
		if slices.Contains(clicks, id) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the click on #%s at %d,%d did not reach the page (it saw %q)", id, x, y, clicks)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestE2ENoNetworkFromWebStack is issue 9's acceptance: a plugin page
// with preconnect, dns-prefetch and prefetch links and anchors aimed at a
// listener on 127.0.0.1, static and added by script, causes no
// connection at all, and strace of the webview process tree shows no
// connect or send to any internet address, with and without the web
// extension.
func TestE2ENoNetworkFromWebStack(t *testing.T) {
	needDisplay(t)
	for _, tt := range []struct {
		name      string
		noChannel bool
	}{{"web extension", false}, {"relayed", true}} {
		t.Run(tt.name, func(t *testing.T) {
			opts := uiOptions()
			opts.NoChannel = tt.noChannel
			opts, trace := straced(t, opts)
			l, network := probeNetwork(t, opts, "all")
			if !network.Isolated {
				t.Errorf("the webview process was not isolated from the network: %s", network.Reason)
			}
			if seen := l.seen(); len(seen) != 0 {
				t.Errorf("the listener on 127.0.0.1 saw %d connections: %q", len(seen), seen)
			}
			if all, _ := inetCalls(t, trace); len(all) != 0 {
				t.Errorf("the web stack tried %d connects or sends to internet addresses:\n%s", len(all), strings.Join(all, "\n"))
			}
		})
	}
}

// TestE2ENetworkFeaturesOff shows the first layer alone: with the
// webview process sharing the host's network, WebKit's preconnect, DNS
// prefetch and prefetch are off, so a page's links make no connection.
// (Anchors are left to the namespace: WebKit may connect for a new
// window's load before the navigation is refused.)
func TestE2ENetworkFeaturesOff(t *testing.T) {
	// Not parallel: strace slows every process it follows, and beside the
	// parallel window tests the page once took over 30 s to load.
	needDisplay(t)
	opts := uiOptions()
	opts.SharedNetwork = true
	opts, trace := straced(t, opts)
	l, network := probeNetwork(t, opts, "links")
	if network.Isolated {
		t.Fatal("SharedNetwork was set, yet the window reports network isolation")
	}
	if seen := l.seen(); len(seen) != 0 {
		t.Errorf("the listener on 127.0.0.1 saw %d connections: %q", len(seen), seen)
	}
	if all, _ := inetCalls(t, trace); len(all) != 0 {
		t.Errorf("the web stack tried %d connects or sends to internet addresses:\n%s", len(all), strings.Join(all, "\n"))
	}
}

// TestE2ENamespaceHoldsWithPreconnectOn shows the second layer alone:
// with LinkPreconnect and LinkDNSPrefetch forcibly turned back on, WebKit
// tries to connect, and the empty network namespace leaves every attempt
// without a route (ENETUNREACH, not a refused connection): the listener
// still sees nothing.
func TestE2ENamespaceHoldsWithPreconnectOn(t *testing.T) {
	needDisplay(t)
	opts := uiOptions()
	opts.WebKitFeatures = map[string]bool{"LinkPreconnect": true, "LinkDNSPrefetch": true}
	opts, trace := straced(t, opts)
	l, network := probeNetwork(t, opts, "all")
	if !network.Isolated {
		t.Fatalf("the webview process was not isolated from the network: %s", network.Reason)
	}
	if seen := l.seen(); len(seen) != 0 {
		t.Errorf("the listener on 127.0.0.1 saw %d connections: %q", len(seen), seen)
	}
	all, succeeded := inetCalls(t, trace)
	t.Logf("%d attempts to reach an internet address, all refused by the namespace:\n%s", len(all), strings.Join(all, "\n"))
	if len(succeeded) != 0 {
		t.Errorf("%d connects or sends to internet addresses went through:\n%s", len(succeeded), strings.Join(succeeded, "\n"))
	}
	if len(all) == 0 {
		t.Error("with preconnect on, WebKit tried no connection: the test no longer shows the namespace at work")
	}
	for _, c := range all {
		if !strings.Contains(c, "ENETUNREACH") {
			t.Errorf("an attempt had a route out of the namespace: %s", c)
		}
	}
}

// TestE2EWebStackUsesDeadProxy shows the third layer alone: with the
// host's network and preconnect forcibly on, every connection WebKit
// makes for the page goes to the proxy on 127.0.0.1:9 that is never
// there, never to the page's target, so WebKit never resolves a page's
// host name itself.
func TestE2EWebStackUsesDeadProxy(t *testing.T) {
	needDisplay(t)
	opts := uiOptions()
	opts.SharedNetwork = true
	opts.WebKitFeatures = map[string]bool{"LinkPreconnect": true}
	opts, trace := straced(t, opts)
	l, _ := probeNetwork(t, opts, "all")
	if seen := l.seen(); len(seen) != 0 {
		t.Errorf("the listener on 127.0.0.1 saw %d connections: %q", len(seen), seen)
	}
	all, _ := inetCalls(t, trace)
	if len(all) == 0 {
		t.Error("with preconnect on, WebKit tried no connection: the test no longer shows the proxy at work")
	}
	for _, c := range all {
		if !strings.Contains(c, "sin_port=htons(9),") || !strings.Contains(c, `inet_addr("127.0.0.1")`) {
			t.Errorf("a connection went elsewhere than the dead proxy: %s", c)
		}
	}
}

// TestE2ENetworkIsolationMissing: where the namespace cannot be had, the
// window still opens, the log and the audit say so; and when the policy
// requires it, the window is not opened.
func TestE2ENetworkIsolationMissing(t *testing.T) {
	t.Parallel()
	needDisplay(t)
	h := e2eHost(t, host.Options{})
	opts := uiOptions()
	opts.SharedNetwork = true
	p, ui := openPlugin(t, h, example(t, "hello"), nil, opts)
	if n := ui.Network(); n.Isolated || n.Reason == "" {
		t.Errorf("Network() = %+v, want not isolated with a reason", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := windowsOf(h).Stop(ctx, p.ID()); err != nil {
		t.Fatal(err)
	}

	opts.RequireNetworkIsolation = true
	_, err := windowsOf(h).Open(ctx, p, opts)
	if !errors.Is(err, window.ErrNoNetworkIsolation) {
		t.Fatalf("Open with the namespace required and unavailable: %v, want ErrNoNetworkIsolation", err)
	}
	if err := h.Audit().Flush(ctx); err != nil {
		t.Fatal(err)
	}
	entries, err := h.Audit().Query(ctx, audit.Filter{Plugin: p.ID()})
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]bool{}
	for _, e := range entries {
		if e.Cmd == "warden.network" {
			reasons[e.Reason] = true
		}
	}
	for _, want := range []string{window.ReasonNoNetworkIsolation, window.ReasonNetworkIsolationRequired} {
		if !reasons[want] {
			t.Errorf("no warden.network audit entry with reason %s (have %v)", want, reasons)
		}
	}
}

// TestE2EWebKitProcessesHoldNoCoreSocket lists the descriptors of every
// process WebKit started for a plugin window: none holds the webview
// process's socket to the core (its fd 3) or a file of the profile.
func TestE2EWebKitProcessesHoldNoCoreSocket(t *testing.T) {
	t.Parallel()
	needDisplay(t)
	h := e2eHost(t, host.Options{})
	_, ui := openPlugin(t, h, example(t, "hello"), nil, uiOptions())
	var reply string
	eval(t, ui, `return await warden.invoke("backend.greet", "Ada")`, &reply)
	root := ui.PID()
	core, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/3", root))
	if err != nil || !strings.HasPrefix(core, "socket:") {
		t.Fatalf("the webview process's fd 3 is %q (%v), want its socket to the core", core, err)
	}
	procs := proctree.Descendants(root)
	if len(procs) == 0 {
		t.Fatal("the webview process started no WebKit process")
	}
	webProcs := 0
	for _, pid := range procs {
		comm := readComm(pid)
		fds := openFDs(pid)
		t.Logf("%d %s: %v", pid, comm, fds)
		if comm == "WebKitWebProces" {
			webProcs++
		}
		for fd, target := range fds {
			if target == core {
				t.Errorf("%s (pid %d) holds the webview process's socket to the core as fd %d", comm, pid, fd)
			}
			if strings.HasPrefix(target, "/") && strings.HasPrefix(target, h.Profile()) {
				t.Errorf("%s (pid %d) holds %s of the profile as fd %d", comm, pid, target, fd)
			}
		}
	}
	if webProcs == 0 {
		t.Error("found no WebKitWebProcess under the webview process")
	}
}

func readComm(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	return strings.TrimSpace(string(b))
}

// openFDs maps each descriptor of pid to what it refers to.
func openFDs(pid int) map[int]string {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	entries, _ := os.ReadDir(dir)
	fds := map[int]string{}
	for _, e := range entries {
		fd, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if target, err := os.Readlink(filepath.Join(dir, e.Name())); err == nil {
			fds[fd] = target
		}
	}
	return fds
}

// openUntilRunning starts `warden open dir` with env, waits until it
// says the plugin is running (or exits), stops it and returns its
// standard error.
func openUntilRunning(t *testing.T, env []string, dir string) (stderr string, exited bool) {
	t.Helper()
	return runUntil(t, env, " is running;", "open", "--profile", t.TempDir(), dir)
}

// runUntil starts warden with args and env, waits until its standard error
// holds want (or it exits), interrupts it and returns its standard error.
// It fails the test after a minute.
func runUntil(t *testing.T, env []string, want string, args ...string) (stderr string, exited bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := helperproc.CommandContext(ctx, wardenRole, args...)
	cmd.Env = helperproc.Env(env, wardenRole)
	var buf strings.Builder
	var mu sync.Mutex
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	seen := make(chan struct{})
	go func() {
		b := make([]byte, 4096)
		once := sync.Once{}
		for {
			n, err := r.Read(b)
			mu.Lock()
			buf.Write(b[:n])
			if strings.Contains(buf.String(), want) {
				once.Do(func() { close(seen) })
			}
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-seen:
		cmd.Process.Signal(os.Interrupt)
		<-done
	case <-done:
		exited = true
	case <-ctx.Done():
		cmd.Process.Kill()
		<-done
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("warden %s: %q neither seen nor exited within a minute:\n%s", strings.Join(args, " "), want, buf.String())
	}
	r.Close()
	mu.Lock()
	defer mu.Unlock()
	return buf.String(), exited
}

// TestE2EOpenSaysWhenNotIsolated: warden open says loudly when the
// webview process has network access, and stays quiet when it has none.
func TestE2EOpenSaysWhenNotIsolated(t *testing.T) {
	t.Parallel()
	needDisplay(t)
	const loud = "NOT ISOLATED FROM THE NETWORK"
	errOut, exited := openUntilRunning(t, append(os.Environ(), warden.NetnsEnv+"=off"), example(t, "hello"))
	if exited || !strings.Contains(errOut, loud) || !strings.Contains(errOut, warden.NetnsEnv+"=off") {
		t.Errorf("warden open with %s=off (exited early: %v) did not say the window has network access:\n%s", warden.NetnsEnv, exited, errOut)
	}
	errOut, exited = openUntilRunning(t, os.Environ(), example(t, "hello"))
	if exited || strings.Contains(errOut, loud) {
		t.Errorf("warden open in a namespace (exited early: %v) said:\n%s", exited, errOut)
	}
}

// TestE2EPolicyRequiresNetworkIsolation: with the admin's
// require_network_isolation, a window that would have network access is
// not opened, and the error names the policy.
func TestE2EPolicyRequiresNetworkIsolation(t *testing.T) {
	needDisplay(t)
	setManagedPolicy(t, `{"policy_version": 1, "default": "allow", "require_network_isolation": true}`)
	errOut, exited := openUntilRunning(t, append(os.Environ(), warden.NetnsEnv+"=off"), example(t, "hello"))
	if !exited || !strings.Contains(errOut, "network isolation unavailable") || !strings.Contains(errOut, "require_network_isolation") {
		t.Errorf("warden open (exited: %v) under require_network_isolation without a namespace:\n%s", exited, errOut)
	}
	errOut, exited = openUntilRunning(t, os.Environ(), example(t, "hello"))
	if exited {
		t.Errorf("warden open in a namespace under require_network_isolation exited:\n%s", errOut)
	}
}

// TestE2ENetworkRequirementBindsRestarts: a requirement set while the
// window runs (an admin's policy applied live) also binds its restart
// after a crash: the webview process does not come back with network.
func TestE2ENetworkRequirementBindsRestarts(t *testing.T) {
	t.Parallel()
	needDisplay(t)
	h := e2eHost(t, host.Options{})
	opts := uiOptions()
	opts.SharedNetwork = true // stands for a system where namespaces fail
	p, ui := openPlugin(t, h, example(t, "hello"), nil, opts)
	ui.SetRequireNetworkIsolation(true)
	pid := ui.PID()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		entries, err := h.Audit().Query(ctx, audit.Filter{Plugin: p.ID()})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Reason == window.ReasonNetworkIsolationRequired {
				if st := windowsOf(h).State(p.ID()); st.Running {
					t.Fatalf("refused restart audited, yet the window runs again (pid %d)", st.PID)
				}
				return
			}
		}
		if st := windowsOf(h).State(p.ID()); st.Running && st.PID != pid {
			t.Fatalf("the webview process came back (pid %d) with network access after the requirement was set", st.PID)
		}
		select {
		case <-ctx.Done():
			t.Fatal("no refused restart was audited within 20 s")
		case <-time.After(100 * time.Millisecond):
		}
	}
}
