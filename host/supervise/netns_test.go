package supervise

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// dialOut is the "dial" helper: what a child (or a renderer it starts)
// would do to reach a listener of the host's: a TCP connect and a UDP
// send to addr, and, once the loopback is up, the same again.
func dialOut(addr string) int {
	ifaces, _ := net.Interfaces()
	for _, i := range ifaces {
		fmt.Printf("interface %s up=%v\n", i.Name, i.Flags&net.FlagUp != 0)
	}
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err == nil {
		c.Write([]byte("leak"))
		c.Close()
	}
	fmt.Printf("tcp: %v\n", err)
	u, err := net.Dial("udp", addr)
	if err == nil {
		_, err = u.Write([]byte("leak"))
		u.Close()
	}
	fmt.Printf("udp: %v\n", err)
	return 0
}

// TestSpawnNoNetwork: a child started with NoNetwork, and anything it
// does, reaches no listener of the host's, not even on 127.0.0.1.
func TestSpawnNoNetwork(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	pc, err := net.ListenPacket("udp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	accepted := make(chan string, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- "tcp from " + c.RemoteAddr().String()
			c.Close()
		}
	}()
	go func() {
		buf := make([]byte, 64)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			accepted <- fmt.Sprintf("udp %q from %s", buf[:n], from)
		}
	}()

	out, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	spec := helperSpec("dial", os.Stderr)
	spec.Env = append(spec.Env, "WARDEN_SUPERVISE_DIAL="+ln.Addr().String())
	spec.Stdout = out
	spec.NoNetwork = true
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := Spawn(ctx, spec)
	if errors.Is(err, ErrNoNetworkNamespace) {
		t.Fatalf("this machine cannot make network namespaces, which Warden's tests need: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
	b, err := os.ReadFile(out.Name())
	if err != nil {
		t.Fatal(err)
	}
	report := string(b)
	t.Logf("child:\n%s", report)
	for _, line := range strings.Split(strings.TrimSpace(report), "\n") {
		if strings.HasPrefix(line, "interface ") && !strings.HasPrefix(line, "interface lo up=false") {
			t.Errorf("the child's namespace has %s; want only a loopback that is down", line)
		}
	}
	for _, proto := range []string{"tcp", "udp"} {
		if !strings.Contains(report, proto+": ") || strings.Contains(report, proto+": <nil>") {
			t.Errorf("the child's %s attempt did not fail", proto)
		}
	}
	select {
	case a := <-accepted:
		t.Errorf("the host's listener on 127.0.0.1 was reached: %s", a)
	case <-time.After(200 * time.Millisecond):
	}
}

// TestNamespaceError: the kernel's refusals of a namespace are reported
// as ErrNoNetworkNamespace, so that the host can decide to go on
// without one; other start failures are not.
func TestNamespaceError(t *testing.T) {
	for _, errno := range []syscall.Errno{syscall.EPERM, syscall.EACCES, syscall.EINVAL, syscall.ENOSPC, syscall.EUSERS} {
		err := namespaceError(&os.SyscallError{Syscall: "clone", Err: errno})
		if !errors.Is(err, ErrNoNetworkNamespace) {
			t.Errorf("%v: %v, want ErrNoNetworkNamespace", errno, err)
		}
	}
	if err := namespaceError(syscall.ENOENT); errors.Is(err, ErrNoNetworkNamespace) {
		t.Errorf("ENOENT (no such program) reported as a namespace refusal: %v", err)
	}
}
