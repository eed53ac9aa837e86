//go:build !linux

package btcdtest

import "syscall"

// sysProcAttr: without Pdeathsig, reapOrphans cleans up after a crash.
func sysProcAttr() *syscall.SysProcAttr { return nil }
