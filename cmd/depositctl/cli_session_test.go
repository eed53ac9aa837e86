package main

import (
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"depositdesk/internal/pgtest"
	"depositdesk/internal/sessionfile"
)

// login logs name in with a session and returns its file.
func (c cli) login(name, pw string, args ...string) string {
	c.t.Helper()
	r := c.as(name, pw, append([]string{"login", "--json"}, args...)...)
	require.Equal(c.t, 0, r.code, r.stderr)
	var out map[string]string
	require.NoError(c.t, json.Unmarshal([]byte(r.stdout), &out), r.stdout)
	require.Equal(c.t, name, out["operator"])
	require.NotEmpty(c.t, out["expires_at"])
	require.FileExists(c.t, out["session_file"])
	return out["session_file"]
}

// bare runs a command with neither --operator nor a password.
func (c cli) bare(args ...string) result {
	c.t.Helper()
	return c.run("", args...)
}

func readSessionFile(t *testing.T, path string) *sessionfile.File {
	t.Helper()
	sf, err := sessionfile.Read(path)
	require.NoError(t, err)
	return sf
}

func newAdminDesk(t *testing.T, db string) cli {
	t.Helper()
	c := cli{t: t, db: db}
	r := c.run(adminPW+"\n", "operator", "create", "--name", "admin", "--password-stdin", "--perm", "all")
	require.Equal(t, 0, r.code, r.stderr)
	return c
}

// execSQL runs one statement on db, SQLite file or Postgres URL, as
// someone with the database would.
func execSQL(t *testing.T, db, stmt string) {
	t.Helper()
	if filepath.IsAbs(db) {
		conn, err := sql.Open("sqlite3", db+"?_busy_timeout=5000")
		require.NoError(t, err)
		defer conn.Close()
		_, err = conn.Exec(stmt)
		require.NoError(t, err)
		return
	}
	conn, err := pgx.Connect(t.Context(), db)
	require.NoError(t, err)
	defer conn.Close(t.Context())
	_, err = conn.Exec(t.Context(), stmt)
	require.NoError(t, err)
}

// Log in once, then a script's commands act without a password until
// logout, on both engines; the database never holds the secret.
func TestLoginServesCommandsUntilLogout(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		db       string
		commands int
	}{
		"SQLite":   {filepath.Join(t.TempDir(), "desk.db"), 100},
		"Postgres": {pgtest.NewDatabase(t), 20},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := newAdminDesk(t, tc.db)
			path := c.login("admin", adminPW, "--ttl", "1h")
			fi, err := os.Stat(path)
			require.NoError(t, err)
			require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
			sf := readSessionFile(t, path)
			require.Equal(t, "admin", sf.Operator)
			raw, err := base64.RawURLEncoding.DecodeString(sf.Secret)
			require.NoError(t, err)
			require.Len(t, raw, 32)

			for i := range tc.commands {
				r := c.bare("asset", "list")
				require.Equal(t, 0, r.code, "command %d: %s", i, r.stderr)
				require.Empty(t, r.stderr)
			}
			r := c.bare("firm", "set", "Example Securities Co., Ltd.")
			require.Equal(t, 0, r.code, r.stderr)
			r = c.run("", "--operator", "admin", "asset", "list")
			require.Equal(t, 0, r.code, "--operator naming the session's operator: %s", r.stderr)

			require.Equal(t, 1, countAudit(t, tc.db, "operator.login"), "one argon2id check for all of them")
			require.Equal(t, 1, countAudit(t, tc.db, "session.create"))
			require.Zero(t, countAudit(t, tc.db, "session.revoke"))
			require.Equal(t, 1, countSQL(t, tc.db, `SELECT count(*) FROM audit_log WHERE action = 'settings.firm_name' AND actor = 'admin'`),
				"what the session does is audited under its operator")
			require.Zero(t, countSQL(t, tc.db, `SELECT count(*) FROM sessions WHERE token_hash LIKE '%`+sf.Secret+`%'`), "only the hash is stored")
			if filepath.IsAbs(tc.db) {
				data, err := os.ReadFile(tc.db)
				require.NoError(t, err)
				require.NotContains(t, string(data), sf.Secret)
			}

			r = c.bare("logout")
			require.Equal(t, 0, r.code, r.stderr)
			require.Equal(t, "logged out admin (session revoked)\n", r.stdout)
			require.NoFileExists(t, path)
			require.Equal(t, 1, countAudit(t, tc.db, "session.revoke"))
			require.Zero(t, countSQL(t, tc.db, `SELECT count(*) FROM sessions`))

			r = c.bare("asset", "list")
			require.Equal(t, 2, r.code, "no session, no operator: %s", r.stderr)
			r = c.bare("logout")
			require.Equal(t, 0, r.code, r.stderr)
			require.Equal(t, "no session for this database\n", r.stdout)
		})
	}
}

func countSQL(t *testing.T, db, query string) int {
	t.Helper()
	var n int
	if filepath.IsAbs(db) {
		conn, err := sql.Open("sqlite3", db+"?mode=ro&_busy_timeout=5000")
		require.NoError(t, err)
		defer conn.Close()
		require.NoError(t, conn.QueryRow(query).Scan(&n))
		return n
	}
	conn, err := pgx.Connect(t.Context(), db)
	require.NoError(t, err)
	defer conn.Close(t.Context())
	require.NoError(t, conn.QueryRow(t.Context(), query).Scan(&n))
	return n
}

// Each way a session ends refuses the next command with exit 6 and the
// reason, removes the file, and a given password still works.
func TestSessionEndsAtTheNextCommand(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		end    func(t *testing.T, c cli, path string)
		reason string
		// fallback: ended the same way again, the password given works
		fallback bool
	}{
		{name: "OperatorDisabled", reason: "operator clerk is disabled", end: func(t *testing.T, c cli, _ string) {
			r := c.admin("operator", "disable", "clerk", "--remarks", "left the firm")
			require.Equal(t, 0, r.code, r.stderr)
		}},
		{name: "PermissionsChanged", reason: "changed since", fallback: true, end: func(t *testing.T, c cli, _ string) {
			execSQL(t, c.db, `UPDATE operators SET security_stamp = security_stamp + 1 WHERE name = 'clerk'`)
		}},
		{name: "PasswordChanged", reason: "changed since", end: func(t *testing.T, c cli, _ string) {
			r := c.run("clerk-password-1\nclerk-password-2\n", "--operator", "clerk", "--password-stdin", "operator", "passwd")
			require.Equal(t, 0, r.code, r.stderr)
		}},
		{name: "Expired", reason: "expired at", fallback: true, end: func(t *testing.T, c cli, _ string) {
			execSQL(t, c.db, `UPDATE sessions SET expires_at = created_at + 1`)
		}},
		{name: "RowDeleted", reason: "does not know it", fallback: true, end: func(t *testing.T, c cli, _ string) {
			execSQL(t, c.db, `DELETE FROM sessions`)
		}},
		{name: "SecretTampered", reason: "does not know it", fallback: true, end: func(t *testing.T, c cli, path string) {
			sf := readSessionFile(t, path)
			raw, err := base64.RawURLEncoding.DecodeString(sf.Secret)
			require.NoError(t, err)
			raw[31] ^= 0x80
			sf.Secret = base64.RawURLEncoding.EncodeToString(raw)
			require.NoError(t, sessionfile.Write(path, sf))
		}},
		{name: "FileNamesAnotherOperator", reason: "names another operator", end: func(t *testing.T, c cli, path string) {
			sf := readSessionFile(t, path)
			sf.Operator = "admin"
			require.NoError(t, sessionfile.Write(path, sf))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newAdminDesk(t, filepath.Join(t.TempDir(), "desk.db"))
			r := c.run(adminPW+"\nclerk-password-1\n", "--operator", "admin", "--password-stdin", "operator", "create", "--name", "clerk",
				"--password-stdin", "--perm", "deposit-records")
			require.Equal(t, 0, r.code, r.stderr)
			path := c.login("clerk", "clerk-password-1")
			r = c.bare("search", "--limit", "1")
			require.Equal(t, 0, r.code, r.stderr)

			tc.end(t, c, path)
			r = c.bare("search", "--limit", "1")
			require.Equal(t, 6, r.code, r.stderr)
			require.True(t, strings.HasPrefix(r.stderr, "error: Your session ended: log in again ("), r.stderr)
			require.Contains(t, r.stderr, tc.reason)
			require.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line")
			require.NoFileExists(t, path, "an ended session takes its file along")
			if !tc.fallback {
				return
			}
			path = c.login("clerk", "clerk-password-1")
			tc.end(t, c, path)
			r = c.as("clerk", "clerk-password-1", "search", "--limit", "1")
			require.Equal(t, 0, r.code, "a given password still works: %s", r.stderr)
			require.Contains(t, r.stderr, "note: Your session ended: log in again (")
			require.Contains(t, r.stderr, "Logging in with the password.")
		})
	}
}

// A session file others can read is taken as known to them: it is
// revoked in the database and removed, and the command refused.
func TestSessionFileReadableByOthersIsRevoked(t *testing.T) {
	t.Parallel()
	c := newAdminDesk(t, filepath.Join(t.TempDir(), "desk.db"))
	path := c.login("admin", adminPW)
	require.NoError(t, os.Chmod(path, 0o644))
	r := c.bare("asset", "list")
	require.Equal(t, 6, r.code, r.stderr)
	require.Contains(t, r.stderr, "error: Your session ended: log in again (")
	require.Contains(t, r.stderr, "can be read by others (mode 0644, want 0600); the session was revoked and the file removed")
	require.NoFileExists(t, path)
	require.Equal(t, 1, countAudit(t, c.db, "session.revoke"))
	require.Zero(t, countSQL(t, c.db, `SELECT count(*) FROM sessions`))
}

// A session file copied to where another database's session lives is
// refused there, whether it still names its own database or was edited
// to name the other one.
func TestSessionFileOfAnotherDatabaseIsRefused(t *testing.T) {
	t.Parallel()
	a := newAdminDesk(t, filepath.Join(t.TempDir(), "a.db"))
	b := newAdminDesk(t, filepath.Join(t.TempDir(), "b.db")) // same operator, same password
	pathA := a.login("admin", adminPW)
	pathB := b.login("admin", adminPW)
	require.NotEqual(t, pathA, pathB)
	fileA, fileB := readSessionFile(t, pathA), readSessionFile(t, pathB)

	require.NoError(t, sessionfile.Write(pathB, fileA))
	r := b.bare("asset", "list")
	require.Equal(t, 6, r.code, r.stderr)
	require.Contains(t, r.stderr, "belongs to another database")

	fileA.Database = fileB.Database
	require.NoError(t, sessionfile.Write(pathB, fileA))
	r = b.bare("asset", "list")
	require.Equal(t, 6, r.code, r.stderr)
	require.Contains(t, r.stderr, "this database does not know it")

	r = a.bare("asset", "list")
	require.Equal(t, 0, r.code, "a's own session is untouched: %s", r.stderr)
}

// A session is one operator's: --operator naming someone else needs that
// one's password, and never acts as the session's operator.
func TestSessionIsItsOperatorsOnly(t *testing.T) {
	t.Parallel()
	c := newAdminDesk(t, filepath.Join(t.TempDir(), "desk.db"))
	r := c.run(adminPW+"\nclerk-password-1\n", "--operator", "admin", "--password-stdin", "operator", "create", "--name", "clerk",
		"--password-stdin", "--perm", "deposit-records")
	require.Equal(t, 0, r.code, r.stderr)
	c.login("clerk", "clerk-password-1")
	r = c.run("", "--operator", "admin", "asset", "list")
	require.Equal(t, 2, r.code, r.stderr)
	require.Contains(t, r.stderr, "this database's session is clerk's")
	r = c.bare("operator", "list")
	require.Equal(t, 7, r.code, "the session acts with the clerk's permissions: %s", r.stderr)
	r = c.admin("operator", "list")
	require.Equal(t, 0, r.code, r.stderr)

	r = c.as("admin", adminPW, "login", "--ttl", "13h")
	require.Equal(t, 3, r.code, r.stderr)
	r = c.bare("login")
	require.Equal(t, 2, r.code, "login needs an operator and a password, never a session: %s", r.stderr)
	r = c.run("", "--operator", "clerk", "login")
	require.Equal(t, 2, r.code, r.stderr)

	// A new login replaces the session and ends the one before.
	c.login("admin", adminPW)
	require.Equal(t, 1, countAudit(t, c.db, "session.revoke"))
	require.Equal(t, 1, countSQL(t, c.db, `SELECT count(*) FROM sessions`))
	r = c.bare("operator", "list")
	require.Equal(t, 0, r.code, r.stderr)
}
