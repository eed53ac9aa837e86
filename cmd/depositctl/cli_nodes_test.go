package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/internal/silentnode"
)

// A station without node passwords still searches, shows and verifies;
// only what needs a node is refused, with the reason. A node that never
// answers costs its deadline, not the command.
func TestNodesAreOpenedOnlyByWhatNeedsThem(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "desk.db")
	c := newCLI(t, db)
	hung := strings.TrimPrefix(silentnode.Start(t).URL, "http://")
	require.NoError(t, os.WriteFile(filepath.Join(filepath.Dir(db), "nodes.toml"), []byte(`
[[node]]
chain = "bitcoin"
network = "mainnet"
url = "http://127.0.0.1:8332"
user = "desk"
password_env = "DEPOSITDESK_TEST_NEVER_SET"

[[node]]
chain = "ethereum"
network = "mainnet"
url = "http://`+hung+`"
timeout = "300ms"
`), 0o600))

	open := c.search("--status", "Wallet Address Under Verification", "--limit", "300")
	var btc, eth jsonRecord
	for _, r := range open {
		switch {
		case r.TxID == "":
		case r.Asset == "BTC" && btc.RecordNo == "":
			btc = r
		case r.Asset != "BTC" && eth.RecordNo == "":
			eth = r
		}
	}
	require.NotEmpty(t, btc.RecordNo)
	require.NotEmpty(t, eth.RecordNo)

	for _, args := range [][]string{{"show", btc.RecordNo}, {"audit", "verify"}, {"search", "--asset", "BTC", "--limit", "5"}} {
		r := c.admin(args...)
		require.Equal(t, 0, r.code, "%v needs no node: %s", args, r.stderr)
	}

	r := c.admin("cancel", btc.RecordNo, "--remarks", "Duplicate user request")
	require.Equal(t, 5, r.code, r.stderr)
	require.Contains(t, r.stderr, "$DEPOSITDESK_TEST_NEVER_SET, which is not set")
	require.Contains(t, r.stderr, "so the record cannot be cancelled")

	r = c.admin("cancel", eth.RecordNo, "--remarks", "Duplicate user request")
	require.Equal(t, 5, r.code, r.stderr)
	require.Contains(t, r.stderr, "Node ethereum/mainnet did not answer in 300ms.")
	for _, rec := range []jsonRecord{btc, eth} {
		r = c.admin("show", rec.RecordNo, "--json")
		require.Equal(t, 0, r.code, r.stderr)
		var shown jsonRecord
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &shown), r.stdout)
		require.Equal(t, "Wallet Address Under Verification", shown.Status, "a refused cancel changes nothing")
	}

	c.checker("viewer", "viewer-password-1", "deposit-records")
	r = c.as("viewer", "viewer-password-1", "watch")
	require.Equal(t, 7, r.code, "watching needs Chain Watcher: %s", r.stderr)
	require.Equal(t, 2, c.run("", "watch").code, "and an operator (--operator is required)")

	r = c.admin("watch")
	require.Equal(t, 5, r.code, r.stderr)
	require.Contains(t, r.stderr, "DEPOSITDESK_TEST_NEVER_SET")
	require.Contains(t, r.stderr, "did not answer in 300ms")

	r = c.admin("nodes", "check")
	require.Equal(t, 5, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 3, r.stdout)
	require.Regexp(t, `^bitcoin/mainnet\s+bitcoin/mainnet\s+unreachable\s+Node bitcoin/mainnet cannot be opened`, lines[1])
	require.Regexp(t, `^ethereum/mainnet\s+ethereum/mainnet\s+unreachable\s+Node ethereum/mainnet did not answer in 300ms`, lines[2])
}

// $DEPOSITDESK_DB finds nodes.toml beside the database exactly as --db does.
func TestNodesFileBesideTheDatabaseHoweverItIsNamed(t *testing.T) {
	db := filepath.Join(t.TempDir(), "desk.db")
	c := cli{t: t, db: db}
	r := c.run(adminPW+"\n", "operator", "create", "--name", "admin", "--password-stdin", "--perm", "all")
	require.Equal(t, 0, r.code, r.stderr)
	require.NoError(t, os.WriteFile(filepath.Join(filepath.Dir(db), "nodes.toml"),
		[]byte("[[node]]\nchain = 'bitcoin'\nnetwork = 'regtest'\nurl = 'http://127.0.0.1:1'\ntimeout = '200ms'\n"), 0o600))
	t.Setenv("DEPOSITDESK_DB", db)
	t.Setenv("DEPOSITDESK_NODES", "")
	for _, args := range [][]string{{"--db", db}, nil} {
		var out, errb strings.Builder
		code := run(t.Context(), append(args, "--operator", "admin", "--password-stdin", "nodes", "check"), strings.NewReader(adminPW+"\n"), &out, &errb)
		require.Equal(t, 5, code, "%v: %s", args, errb.String())
		require.Contains(t, out.String(), "bitcoin/regtest", "%v reads the nodes.toml beside %s", args, db)
	}
}

// Text that would show differently than it is stored — a terminal escape,
// a forged second line, a text-direction override — is refused at the
// command line as everywhere else, and nothing is written.
func TestControlCharactersAreRefused(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "desk.db")
	c := newCLI(t, db)
	rec := c.search("--status", "Wallet Address Under Verification", "--limit", "1")[0]
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"cancel", rec.RecordNo, "--remarks", "dup \x1b[2J"}, "Remarks contain a control character (U+001B) at character 5"},
		{[]string{"delete", rec.RecordNo, "--remarks", "abnormal \u202Etseuqer"}, "Remarks contain an invisible text-direction control (U+202E)"},
		{[]string{"customer", "add", "--customer-no", "C77777", "--account", "SA-77777", "--name", "Ann\nApproved: yes"}, "Customer name contains a control character (U+000A)"},
		{[]string{"firm", "set", "Acme\x1b[31m Bank"}, "The firm's name must be one line of text. It contains a control character (U+001B)"},
	} {
		before := auditRows(t, c)
		r := c.admin(tc.args...)
		require.Equal(t, 3, r.code, "%v: %s", tc.args, r.stderr)
		require.Contains(t, r.stderr, tc.says)
		require.Equal(t, before+2, auditRows(t, c), "nothing but the two logins was written")
	}
	r := c.admin("show", rec.RecordNo, "--json")
	require.Contains(t, r.stdout, `"status": "Wallet Address Under Verification"`)
}

// auditRows is how many rows `audit verify` verified (its own login included).
func auditRows(t *testing.T, c cli) int {
	t.Helper()
	r := c.admin("audit", "verify")
	require.Equal(t, 0, r.code, r.stderr)
	var n int
	_, err := fmt.Sscanf(r.stdout, "audit log intact: %d rows verified", &n)
	require.NoError(t, err, r.stdout)
	return n
}
