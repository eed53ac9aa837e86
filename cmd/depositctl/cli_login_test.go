package main

import (
	"bytes"
	"database/sql"
	"errors"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/internal/pgtest"
)

// Twenty wrong passwords from twenty depositctl processes at once, then
// the right one while they are being checked: no more than five are ever
// checked, the right one is refused, and it stays refused until the lock
// ends, with the same words as a wrong password.
func TestParallelGuessesLockTheOperator(t *testing.T) {
	t.Parallel()
	for name, db := range map[string]string{
		"SQLite":   filepath.Join(t.TempDir(), "desk.db"),
		"Postgres": pgtest.NewDatabase(t),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := cli{t: t, db: db}
			r := c.run(adminPW+"\n", "operator", "create", "--name", "admin", "--password-stdin", "--perm", "all")
			require.Equal(t, 0, r.code, r.stderr)

			guesses := make([]*exec.Cmd, 20)
			outs := make([]*bytes.Buffer, 20)
			for i := range guesses {
				guesses[i] = depositctlProcess(t, "not-the-password\n", "--db", db, "--operator", "admin", "--password-stdin", "search", "--limit", "1")
				outs[i] = &bytes.Buffer{}
				guesses[i].Stderr = outs[i]
				require.NoError(t, guesses[i].Start())
			}
			// Once the five attempts are taken the right password comes,
			// while the guesses are still being hashed.
			require.Eventually(t, func() bool { return attemptsTaken(t, db) >= core.MaxFailedLogins }, 30*time.Second, 5*time.Millisecond)
			right := c.admin("search", "--limit", "1")
			require.Equal(t, 6, right.code, right.stderr)
			require.Equal(t, "error: Wrong operator name or password.\n", right.stderr)

			for i, g := range guesses {
				err := g.Wait()
				var exit *exec.ExitError
				require.True(t, errors.As(err, &exit), "guess %d: %v", i, err)
				require.Equal(t, 6, exit.ExitCode())
				require.Equal(t, "error: Wrong operator name or password.\n", outs[i].String())
			}
			right = c.admin("search", "--limit", "1")
			require.Equal(t, 6, right.code, "still locked after the burst: %s", right.stderr)
			require.Equal(t, "error: Wrong operator name or password.\n", right.stderr)
			require.Equal(t, core.MaxFailedLogins, countAudit(t, db, "operator.login_failed"), "exactly five guesses were checked")
		})
	}
}

// attemptsTaken reads the admin's attempt counter straight from the database.
func attemptsTaken(t *testing.T, db string) int {
	t.Helper()
	return countSQL(t, db, `SELECT failed_logins FROM operators WHERE name = 'admin'`)
}

func countAudit(t *testing.T, db, action string) int {
	t.Helper()
	var n int
	if filepath.IsAbs(db) {
		conn, err := sql.Open("sqlite3", db+"?mode=ro&_busy_timeout=5000")
		require.NoError(t, err)
		defer conn.Close()
		require.NoError(t, conn.QueryRow(`SELECT count(*) FROM audit_log WHERE action = ?`, action).Scan(&n))
		return n
	}
	conn, err := pgx.Connect(t.Context(), db)
	require.NoError(t, err)
	defer conn.Close(t.Context())
	require.NoError(t, conn.QueryRow(t.Context(), `SELECT count(*) FROM audit_log WHERE action = $1`, action).Scan(&n))
	return n
}
