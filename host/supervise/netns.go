package supervise

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// ErrNoNetworkNamespace reports that a child asked to run without network
// (Spec.NoNetwork) could not be given an empty network namespace here:
// the kernel has no network or user namespaces, or they are turned off
// (user.max_user_namespaces, kernel.unprivileged_userns_clone, a container
// or seccomp profile that refuses clone(CLONE_NEWUSER)). The caller
// decides whether to start the child without one.
var ErrNoNetworkNamespace = errors.New("supervise: no network namespace")

// isolateNetwork sets attr up so that the child starts in a new network
// namespace, which has no interface but a loopback that is down: every
// connect and send to an address fails with ENETUNREACH, for the child and
// everything it starts (WebKit's web and network processes), whatever they
// try. Unix sockets named by a path (an X server's, a Wayland compositor's,
// D-Bus) still work; abstract ones do not, being per namespace.
//
// Root can make a network namespace directly. Anyone else makes a user
// namespace with it, mapping only their own uid and gid onto themselves,
// so the child keeps its identity and gains no privilege outside: files
// and processes it sees are owned by who owned them before. The cost is
// the kernel's: one namespace more per child, well under a millisecond.
func isolateNetwork(attr *syscall.SysProcAttr) {
	attr.Cloneflags |= syscall.CLONE_NEWNET
	if os.Geteuid() == 0 {
		return
	}
	uid, gid := os.Geteuid(), os.Getegid()
	attr.Cloneflags |= syscall.CLONE_NEWUSER
	attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: uid, HostID: uid, Size: 1}}
	attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: gid, HostID: gid, Size: 1}}
	// Writing a gid map unprivileged requires setgroups to be denied;
	// the child keeps the supplementary groups it had.
	attr.GidMappingsEnableSetgroups = false
}

// namespaceError reports err, a failed start of a child that asked for an
// empty network namespace, as [ErrNoNetworkNamespace] when the namespace
// is what the kernel refused: clone fails with EPERM (not allowed), EINVAL
// (not built in), ENOSPC or EUSERS (the namespace limit is reached), and
// the id maps are written before exec, failing with EPERM or EACCES.
func namespaceError(err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		switch errno {
		case syscall.EPERM, syscall.EACCES, syscall.EINVAL, syscall.ENOSPC, syscall.EUSERS:
			return fmt.Errorf("%w: %w", ErrNoNetworkNamespace, err)
		}
	}
	return err
}
