package ethtest

import (
	"os/exec"
	"syscall"
)

// setPdeathsig has the kernel kill geth when the test binary dies: a test
// timeout panics past every Cleanup, and an orphaned geth would hold its
// ports and memory until someone noticed.
func setPdeathsig(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
