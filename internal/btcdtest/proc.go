package btcdtest

import (
	"errors"
	"os"
	"syscall"
)

// processAlive reports whether pid exists. Where signal 0 is unsupported
// (Windows) every process counts as alive, so nothing live is reaped.
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return !errors.Is(err, os.ErrProcessDone) && !errors.Is(err, syscall.ESRCH)
}
