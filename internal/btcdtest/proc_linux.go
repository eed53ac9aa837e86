package btcdtest

import "syscall"

// sysProcAttr has the kernel kill btcd when the test binary dies, so a
// crashed or timed-out test leaves no node running.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
