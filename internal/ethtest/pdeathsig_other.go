//go:build !linux

package ethtest

import "os/exec"

// setPdeathsig is Linux only; elsewhere an interrupted test run may leave
// geth running.
func setPdeathsig(*exec.Cmd) {}
