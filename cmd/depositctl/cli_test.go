package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"
	"github.com/stretchr/testify/require"

	"depositdesk/internal/pgtest"
	"depositdesk/internal/sessionfile"
	"depositdesk/internal/tamper"
)

func TestMain(m *testing.M) {
	// The test binary doubles as depositctl for tests that need separate
	// processes, as operators' terminals are (see depositctlProcess).
	if os.Getenv(asDepositctl) != "" {
		main()
	}
	// Login sessions go to a folder of the run's own, never the user's;
	// files are named by database, so parallel tests share it safely.
	dir, err := os.MkdirTemp("", "depositctl-sessions-")
	if err != nil {
		panic(err)
	}
	os.Setenv(sessionfile.DirEnv, dir)
	code := pgtest.Run(m, nil)
	os.RemoveAll(dir)
	os.Exit(code)
}

// depositctlProcess is depositctl args in a process of its own, with stdin.
func depositctlProcess(t *testing.T, stdin string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), asDepositctl+"=1")
	cmd.Stdin = strings.NewReader(stdin)
	return cmd
}

const adminPW = "admin-password-1"

// cli runs depositctl in-process against one database.
type cli struct {
	t  *testing.T
	db string
}

type result struct {
	code           int
	stdout, stderr string
}

func (c cli) run(stdin string, args ...string) result {
	c.t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"--db", c.db}, args...), strings.NewReader(stdin), &out, &errb)
	return result{code, out.String(), errb.String()}
}

// as runs a command as an operator with the password on stdin.
func (c cli) as(name, pw string, args ...string) result {
	c.t.Helper()
	return c.run(pw+"\n", append([]string{"--operator", name, "--password-stdin"}, args...)...)
}

func (c cli) admin(args ...string) result {
	c.t.Helper()
	return c.as("admin", adminPW, args...)
}

// checker creates an operator whose permissions a second administrator,
// hr, sets: the operator who empowered another is never that operator's
// second person, so one made by admin could not check admin's work.
func (c cli) checker(name, password, perm string) {
	c.t.Helper()
	r := c.run(adminPW+"\nhr-password-01\n", "--operator", "admin", "--password-stdin", "operator", "create", "--name", "hr",
		"--password-stdin", "--perm", "operator-admin")
	if r.code != 5 { // 5: hr exists already
		require.Equal(c.t, 0, r.code, r.stderr)
	}
	r = c.run("hr-password-01\n"+password+"\n", "--operator", "hr", "--password-stdin", "operator", "create", "--name", name,
		"--password-stdin", "--perm", perm)
	require.Equal(c.t, 0, r.code, r.stderr)
}

func newCLI(t *testing.T, db string) cli {
	c := cli{t: t, db: db}
	r := c.run(adminPW+"\n", "operator", "create", "--name", "admin", "--password-stdin", "--perm", "all")
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stdout, "created administrator admin")
	r = c.admin("seed", "--records", "300", "--seed", "3")
	require.Equal(t, 0, r.code, r.stderr)
	return c
}

type jsonRecord struct {
	RecordNo           string `json:"record_no"`
	CustomerNo         string `json:"customer_no"`
	SecuritiesAccount  string `json:"securities_account"`
	Asset              string `json:"asset"`
	Network            string `json:"network"`
	Amount             string `json:"amount"`
	DestinationAddress string `json:"destination_address"`
	TxID               string `json:"txid"`
	Status             string `json:"status"`
	CreatedAt          string `json:"created_at"`
}

func (c cli) search(args ...string) []jsonRecord {
	c.t.Helper()
	r := c.admin(append([]string{"search", "--json"}, args...)...)
	require.Equal(c.t, 0, r.code, r.stderr)
	var recs []jsonRecord
	require.NoError(c.t, json.Unmarshal([]byte(r.stdout), &recs), r.stdout)
	return recs
}

func TestCLIOnSQLite(t *testing.T) {
	t.Parallel()
	flow(t, filepath.Join(t.TempDir(), "desk.db"))
}

func TestCLIOnPostgres(t *testing.T) {
	t.Parallel()
	flow(t, pgtest.NewDatabase(t))
}

func flow(t *testing.T, db string) {
	c := newCLI(t, db)

	t.Run("FirstAdminOnlyOnEmptyDatabase", func(t *testing.T) {
		r := c.run("x-password-12\n", "operator", "create", "--name", "mallory", "--password-stdin", "--perm", "all")
		require.Equal(t, 2, r.code, "a second create needs --operator: %s", r.stderr)
	})
	t.Run("OperatorWithLimitedPermissions", func(t *testing.T) {
		r := c.run(adminPW+"\nclerk-password-1\n", "--operator", "admin", "--password-stdin", "operator", "create", "--name", "clerk",
			"--password-stdin", "--perm", "deposit-records")
		require.Equal(t, 0, r.code, r.stderr)
		r = c.as("clerk", "clerk-password-1", "search", "--limit", "1")
		require.Equal(t, 0, r.code, r.stderr)
		recs := c.search("--status", "Wallet Address Under Verification", "--limit", "1")
		require.Len(t, recs, 1)
		r = c.as("clerk", "clerk-password-1", "cancel", recs[0].RecordNo, "--remarks", "Duplicate user request")
		require.Equal(t, 7, r.code, "forbidden: %s", r.stderr)
		require.True(t, strings.HasPrefix(r.stderr, "error: "), r.stderr)
	})
	t.Run("WrongPasswordIsUnauthorized", func(t *testing.T) {
		r := c.as("admin", "wrong-password", "search")
		require.Equal(t, 6, r.code)
		require.Equal(t, "error: Wrong operator name or password.\n", r.stderr)
	})
	t.Run("SearchJSONShapeAndFilters", func(t *testing.T) {
		all := c.search("--limit", "1000")
		require.Len(t, all, 300)
		first := all[0]
		for _, v := range []string{first.RecordNo, first.CustomerNo, first.SecuritiesAccount, first.Asset, first.Network, first.Amount, first.DestinationAddress, first.Status, first.CreatedAt} {
			require.NotEmpty(t, v)
		}
		credited := c.search("--status", "credited", "--limit", "1000")
		require.NotEmpty(t, credited)
		for _, r := range credited {
			require.Equal(t, "Credited", r.Status)
		}
		byCustomer := c.search("--customer-no", first.CustomerNo, "--asset", first.Asset+"@"+first.Network, "--limit", "1000")
		for _, r := range byCustomer {
			require.Equal(t, first.CustomerNo, r.CustomerNo)
			require.Equal(t, first.Asset, r.Asset)
		}
		require.Equal(t, []jsonRecord{first}, c.search("--record-no", first.RecordNo))
		ranged := c.search("--from", all[10].CreatedAt, "--to", all[5].CreatedAt, "--limit", "1000")
		require.NotEmpty(t, ranged)
		for _, r := range ranged {
			require.True(t, r.CreatedAt >= all[10].CreatedAt && r.CreatedAt < all[5].CreatedAt, r.CreatedAt)
		}
	})
	t.Run("PagingWithCursor", func(t *testing.T) {
		r := c.admin("search", "--json", "--limit", "7")
		require.Equal(t, 0, r.code)
		require.Equal(t, "300", stderrLine(r.stderr, "matches: "), "all pages counted")
		cursor := stderrLine(r.stderr, "next: ")
		require.NotEmpty(t, cursor)
		next := c.search("--limit", "7", "--after", cursor)
		all := c.search("--limit", "14")
		require.Equal(t, all[7:], next)
	})
	t.Run("SearchByPrefixInRequestOrder", func(t *testing.T) {
		all := c.search("--limit", "1000", "--sort", "requested")
		require.Len(t, all, 300)
		first := all[0]
		part := strings.ToLower(first.CustomerNo[:len(first.CustomerNo)-1]) // any case, the number less its last digit
		r := c.admin("search", "--json", "--limit", "1000", "--sort", "requested", "--customer-no", part)
		require.Equal(t, 0, r.code, r.stderr)
		var byPrefix []jsonRecord
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &byPrefix))
		var want []jsonRecord
		for _, rec := range all {
			if strings.HasPrefix(rec.CustomerNo, strings.ToUpper(part)) {
				want = append(want, rec)
			}
		}
		require.Equal(t, want, byPrefix, "the prefix's records, in request order")
		require.Equal(t, strconv.Itoa(len(want)), stderrLine(r.stderr, "matches: "))
		if first.TxID != "" {
			short := first.TxID[:6] + "…" + first.TxID[len(first.TxID)-4:] // as the records table shows it
			require.Equal(t, first.RecordNo, c.search("--txid", short)[0].RecordNo)
		}
		r = c.admin("search", "--limit", "7", "--sort", "requested")
		require.Equal(t, 0, r.code)
		r = c.admin("search", "--limit", "7", "--after", stderrLine(r.stderr, "next: "))
		require.Equal(t, 3, r.code, "a cursor of request order does not page creation order: %s", r.stderr)
	})
	t.Run("BadInputIsInvalid", func(t *testing.T) {
		for _, args := range [][]string{
			{"search", "--status", "Paid"},
			{"search", "--from", "yesterday"},
			{"search", "--record-no", "123"},
			{"search", "--limit", "0"},
			{"search", "--txid", "xyz"},
			{"search", "--txid", "8dba1c2"},
			{"search", "--sort", "amount"},
			{"cancel", "D20261125-000001", "--remarks", " "},
		} {
			r := c.admin(args...)
			require.Equal(t, 3, r.code, "%v: %s", args, r.stderr)
		}
		require.Equal(t, 4, c.admin("show", "D19990101-000001").code)
		require.Equal(t, 2, c.admin("search", "--no-such-flag").code)
	})
	t.Run("CancelOnlyUnderVerificationAndAudited", func(t *testing.T) {
		var v, withTx []jsonRecord
		for _, r := range c.search("--status", "Wallet Address Under Verification", "--limit", "100") {
			if r.TxID == "" {
				v = append(v, r)
			} else {
				withTx = append(withTx, r)
			}
		}
		require.GreaterOrEqual(t, len(v), 2)
		require.NotEmpty(t, withTx)
		// Without a node for the network the desk cannot tell whether the
		// chain has begun confirming, so it refuses rather than guess.
		r := c.admin("cancel", withTx[0].RecordNo, "--remarks", "Duplicate user request")
		require.Equal(t, 5, r.code, r.stderr)
		require.Regexp(t, `No (bitcoin|ethereum)/mainnet node is configured`, r.stderr)
		r = c.admin("cancel", v[0].RecordNo, "--remarks", "Duplicate user request")
		require.Equal(t, 0, r.code, r.stderr)
		require.Contains(t, r.stdout, "Cancelled")
		r = c.admin("cancel", v[0].RecordNo, "--remarks", "again")
		require.Equal(t, 3, r.code, r.stderr)
		credited := c.search("--status", "Credited", "--limit", "1")
		r = c.admin("cancel", credited[0].RecordNo, "--remarks", "Incorrect address")
		require.Equal(t, 3, r.code)
		require.Contains(t, r.stderr, "Wallet Address Under Verification")

		r = c.admin("show", v[0].RecordNo, "--json")
		require.Equal(t, 0, r.code, r.stderr)
		var det struct {
			Status string                                    `json:"status"`
			Trail  []struct{ Actor, Action, Remarks string } `json:"audit_trail"`
		}
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &det))
		require.Equal(t, "Cancelled", det.Status)
		last := det.Trail[len(det.Trail)-1]
		require.Equal(t, "admin", last.Actor)
		require.Equal(t, "deposit.cancel", last.Action)
		require.Equal(t, "Duplicate user request", last.Remarks)

		r = c.admin("delete", v[1].RecordNo, "--remarks", "Abnormal application")
		require.Equal(t, 0, r.code, r.stderr)
		require.Contains(t, r.stdout, "Deleted")
	})
	t.Run("AuditExportAndVerify", func(t *testing.T) {
		r := c.admin("audit", "verify")
		require.Equal(t, 0, r.code, r.stderr)
		require.Contains(t, r.stdout, "audit log intact")
		r = c.admin("audit", "export", "--format", "csv")
		require.Equal(t, 0, r.code, r.stderr)
		rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
		require.NoError(t, err)
		require.Equal(t, "seq", rows[0][0])
		require.Greater(t, len(rows), 10)
		r = c.admin("audit", "export", "--format", "jsonl")
		require.Equal(t, 0, r.code)
		require.Greater(t, strings.Count(r.stdout, "\n"), 10)
		require.Equal(t, 3, c.admin("audit", "export", "--format", "xml").code)
	})
	t.Run("TamperedAuditRowIsNamed", func(t *testing.T) {
		driver, guards := "sqlite3", tamper.SQLiteDropGuards
		if strings.HasPrefix(c.db, "postgres") {
			driver, guards = "pgx", tamper.PostgresDisableGuards
		}
		raw, err := sql.Open(driver, c.db)
		require.NoError(t, err)
		defer raw.Close()
		_, err = raw.Exec(guards)
		require.NoError(t, err)
		_, err = raw.Exec(`UPDATE audit_log SET remarks = 'edited' WHERE seq = 5`)
		require.NoError(t, err)
		r := c.admin("audit", "verify")
		require.NotEqual(t, 0, r.code)
		require.Contains(t, r.stderr, "row 5")
	})
}

// stderrLine is what follows prefix on the line of stderr that starts with it.
func stderrLine(stderr, prefix string) string {
	for line := range strings.Lines(stderr) {
		if v, ok := strings.CutPrefix(line, prefix); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
