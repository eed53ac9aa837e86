// Package nodebin finds the blockchain node binaries (btcd, geth) the tests
// run: scripts/nodes.sh installs them, pinned, into one directory that
// make test exports as Env; without it they are looked up on PATH.
package nodebin

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Env names the directory scripts/nodes.sh installs the binaries into.
const Env = "DEPOSITDESK_NODE_BIN"

// Find returns the path of the binary name, or an error telling how to
// install it (tests fail with it; they never skip).
func Find(name string) (string, error) {
	if dir := os.Getenv(Env); dir != "" {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("no %s in $%s (%q) or on PATH: run `make test`, or scripts/nodes.sh and export %s=$(scripts/nodes.sh)",
		name, Env, os.Getenv(Env), Env)
}
