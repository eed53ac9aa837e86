// Package keyringtest gives a test a real OS keyring: a private D-Bus
// session with gnome-keyring-daemon serving the Secret Service, unlocked,
// its data in a temp dir. go-keyring then stores and reads secrets the way
// it does on an operator's Linux desktop, without touching the user's own
// keyring. Tests that call keyring.MockInit must live in another package:
// the mock replaces the provider for the whole test binary.
package keyringtest

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// Start runs the session bus and the keyring daemon for tb and points the
// process at them (DBUS_SESSION_BUS_ADDRESS, XDG_* dirs); both stop when tb
// ends. It fails the test, never skips, when dbus-daemon or
// gnome-keyring-daemon is missing (make test installs them).
func Start(tb testing.TB) {
	tb.Helper()
	for _, bin := range []string{"dbus-daemon", "gnome-keyring-daemon"} {
		if _, err := exec.LookPath(bin); err != nil {
			tb.Fatalf("keyringtest: %s not found (the dbus and gnome-keyring packages; make test installs them): %v", bin, err)
		}
	}
	dir := tb.TempDir()
	run := filepath.Join(dir, "run")
	if err := os.MkdirAll(run, 0o700); err != nil {
		tb.Fatal(err)
	}
	tb.Setenv("XDG_RUNTIME_DIR", run)
	tb.Setenv("XDG_DATA_HOME", filepath.Join(dir, "data"))
	tb.Setenv("HOME", dir)

	// A socket on a path, not Linux's abstract default: an abstract socket
	// belongs to a network namespace, and the signing station's tests run
	// it in one of its own, with no network (unshare -n).
	bus := exec.Command("dbus-daemon", "--session", "--fork", "--print-address=1", "--print-pid=1",
		"--address=unix:path="+filepath.Join(dir, "bus"))
	out, err := bus.Output()
	if err != nil {
		tb.Fatalf("keyringtest: dbus-daemon: %v", err)
	}
	lines := strings.Fields(string(out))
	if len(lines) != 2 {
		tb.Fatalf("keyringtest: dbus-daemon printed %q", out)
	}
	address := lines[0]
	busPID, err := strconv.Atoi(lines[1])
	if err != nil {
		tb.Fatalf("keyringtest: dbus-daemon pid %q", lines[1])
	}
	tb.Cleanup(func() { _ = syscall.Kill(busPID, syscall.SIGTERM) })
	tb.Setenv("DBUS_SESSION_BUS_ADDRESS", address)

	// --unlock reads the login password on stdin and creates the default
	// collection unlocked; without it every call fails "failed to unlock".
	daemon := exec.Command("gnome-keyring-daemon", "--unlock", "--components=secrets", "--daemonize")
	daemon.Stdin = strings.NewReader("keyringtest")
	daemon.Env = os.Environ()
	stdout, err := daemon.Output()
	if err != nil {
		tb.Fatalf("keyringtest: gnome-keyring-daemon: %v", err)
	}
	// It prints GNOME_KEYRING_CONTROL=… and its pid; stop it with the bus.
	sc := bufio.NewScanner(strings.NewReader(string(stdout)))
	for sc.Scan() {
		if pid, ok := strings.CutPrefix(sc.Text(), "GNOME_KEYRING_PID="); ok {
			if n, err := strconv.Atoi(pid); err == nil {
				tb.Cleanup(func() { _ = syscall.Kill(n, syscall.SIGTERM) })
			}
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(fmt.Errorf("keyringtest: %w", err))
	}
}
