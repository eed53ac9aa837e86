// Package npmtest finds the node modules of an interop test: scripts/deps.sh
// test (run by make test) installs each interop/<name>'s modules, pinned by
// its package-lock.json, into the user's cache dir.
package npmtest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Modules is the node_modules folder of the interop test named name, whose
// package-lock.json is in the working directory. A missing or stale
// install fails the test: interoperability is only shown by running it.
func Modules(tb testing.TB, name string) string {
	tb.Helper()
	cache, err := os.UserCacheDir()
	if err != nil {
		tb.Fatal(err)
	}
	dir := filepath.Join(cache, "depositdesk", name)
	want, err := os.ReadFile("package-lock.json")
	if err != nil {
		tb.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, ".installed-lock")); err != nil || !bytes.Equal(got, want) {
		tb.Fatalf("the %s interop test's node modules are missing from %s or installed from another package-lock.json: run make test, or scripts/deps.sh test", name, dir)
	}
	if _, err := exec.LookPath("node"); err != nil {
		tb.Fatalf("node is not installed: run scripts/deps.sh test")
	}
	return filepath.Join(dir, "node_modules")
}
