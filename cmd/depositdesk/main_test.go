//go:build linux

// The desk runs under Xvfb here, which is Linux's.

package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/theme"
	"github.com/stretchr/testify/require"
)

// runAsDesk makes the test binary the desk itself when set, so the test
// runs the real program (its imports' init order included) without
// building it again.
const runAsDesk = "DEPOSITDESK_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runAsDesk) != "" {
		os.Args = append([]string{os.Args[0]}, strings.Fields(os.Getenv(runAsDesk))...)
		main()
		return
	}
	os.Exit(m.Run())
}

// make builds and tests with its GOTAGS, so this test binary is built as
// the desk is: no_emoji leaves out Fyne's colour emoji font, which Fyne
// parses once for each text style a window uses (decision 68).
func TestBuiltWithoutTheEmojiFont(t *testing.T) {
	require.Nil(t, theme.DefaultEmojiFont(), "built without the Makefile's tags (GOTAGS)")
}

// The desk started in a C locale with a fresh home under Xvfb, and closed
// as the window manager's close and a logout's shutdown do (SIGTERM ends
// Fyne's loop the same way), says nothing about locales or preferences:
// before, every start logged "Error parsing user locale C" and about every
// other close "Preferences load error: EOF". A preferences file the desk
// finds is read and left as it was.
func TestStartsAndClosesQuietlyInACLocale(t *testing.T) {
	for _, tool := range []string{"xvfb-run", "dbus-run-session"} {
		_, err := exec.LookPath(tool)
		require.NoError(t, err, "%s runs the desk here (make deps-test installs it)", tool)
	}
	home := t.TempDir()
	config := filepath.Join(home, ".config")
	prefs := filepath.Join(config, "fyne", "com.depositdesk.app", "preferences.json")
	script := `"$0" & P=$!; sleep 2; kill -TERM $P; wait $P`
	for i := range 5 { // the close's race showed about every other time
		if i == 2 {
			require.NoError(t, os.MkdirAll(filepath.Dir(prefs), 0o700))
			require.NoError(t, os.WriteFile(prefs, []byte(`{"fyne:fileDialogLastFolder":"/home/operator"}`+"\n"), 0o600))
		}
		cmd := exec.Command("xvfb-run", "-a", "-s", "-screen 0 1280x800x24", "dbus-run-session", "--", "sh", "-c", script, os.Args[0])
		cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+config, "XDG_DATA_HOME="+filepath.Join(home, "data"),
			"LANG=C.UTF-8", "LC_ALL=", "LC_MESSAGES=", "LANGUAGE=",
			runAsDesk+"=--db "+filepath.Join(home, "desk.db"))
		var stderr strings.Builder
		cmd.Stderr = &stderr
		require.NoError(t, cmd.Run(), stderr.String())
		out := stderr.String()
		require.NotContains(t, out, "Error parsing user locale", "run %d", i)
		require.NotContains(t, out, "Preferences load error", "run %d", i)
		require.NotContains(t, out, "Fyne error", "run %d", i)
	}
	b, err := os.ReadFile(prefs)
	require.NoError(t, err)
	var values map[string]any
	require.NoError(t, json.Unmarshal(b, &values), "the preferences file is whole: %q", b)
	require.Equal(t, "/home/operator", values["fyne:fileDialogLastFolder"])
}

// A desk started on a file that is not a database (started from a menu,
// with no terminal to read) stays up with a window that says it cannot
// open it, and the message also goes to standard error.
func TestADatabaseItCannotOpenIsSaidInTheWindow(t *testing.T) {
	for _, tool := range []string{"xvfb-run", "dbus-run-session", "xdotool"} {
		_, err := exec.LookPath(tool)
		require.NoError(t, err, "%s runs the desk here (make deps-test installs it)", tool)
	}
	home := t.TempDir()
	db := filepath.Join(home, "desk.db")
	require.NoError(t, os.WriteFile(db, []byte("these are a spreadsheet's bytes, not a database's\n"), 0o600))
	script := `"$0" & P=$!
title='^Deposit Desk · Cannot open the database$'
for i in $(seq 200); do xdotool search --onlyvisible --name "$title" >/dev/null 2>&1 && break; sleep 0.05; done
xdotool search --onlyvisible --name "$title" >/dev/null 2>&1 || { echo "no window titled $title" >&2; kill $P; exit 3; }
kill -0 $P || exit 4
kill -TERM $P; wait $P`
	cmd := exec.Command("xvfb-run", "-a", "-s", "-screen 0 1280x800x24", "dbus-run-session", "--", "sh", "-c", script, os.Args[0])
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_DATA_HOME="+filepath.Join(home, "data"),
		runAsDesk+"=--db "+db)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Run(), stderr.String())
	require.Contains(t, stderr.String(), "depositdesk: cannot open "+db+": ")
}
