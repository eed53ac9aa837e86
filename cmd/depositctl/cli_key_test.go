package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"depositdesk/internal/keyringtest"
	"depositdesk/internal/testkeys"
)

// Not parallel: the real keyring's session bus is named in the environment.
func TestSigningKeyImportIntoTheOSKeyring(t *testing.T) {
	keyringtest.Start(t)
	account := func(seed string) (string, string) {
		xprv, xpub, err := testkeys.Account(seed, 84, 1, &chaincfg.RegressionNetParams)
		require.NoError(t, err)
		return xprv, xpub
	}
	xprv, xpub := account("deposit desk cli key test seed 1")
	other, _ := account("deposit desk cli key test seed 2")

	c := cli{t: t, db: filepath.Join(t.TempDir(), "desk.db")}
	r := c.run(adminPW+"\n", "operator", "create", "--name", "admin", "--password-stdin", "--perm", "all")
	require.Equal(t, 0, r.code, r.stderr)
	r = c.admin("asset", "add", "--chain", "bitcoin", "--network", "regtest", "--symbol", "BTC", "--decimals", "8",
		"--confirmations", "1", "--xpub", xpub)
	require.Equal(t, 0, r.code, r.stderr)

	require.Equal(t, 4, c.admin("key", "check", "BTC@regtest").code, "no key yet")
	r = c.run(adminPW+"\n"+other+"\n", "--operator", "admin", "--password-stdin", "key", "import", "BTC@regtest")
	require.Equal(t, 3, r.code, "another account's key")
	require.NotContains(t, r.stderr, other)
	require.Equal(t, 4, c.admin("key", "check", "BTC@regtest").code, "nothing stored")

	r = c.run(adminPW+"\n"+xprv+"\n", "--operator", "admin", "--password-stdin", "key", "import", "BTC@regtest")
	require.Equal(t, 0, r.code, r.stderr)
	require.NotContains(t, r.stdout, xprv)
	r = c.admin("key", "check", "BTC@regtest")
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stdout, "present and matching")

	r = c.admin("audit", "export", "--format", "jsonl")
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stdout, `"key.import"`)
	require.False(t, strings.Contains(r.stdout, xprv), "the audit log never holds the key")

	r = c.run(adminPW+"\nclerk-password-1\n", "--operator", "admin", "--password-stdin", "operator", "create", "--name", "clerk",
		"--password-stdin", "--perm", "deposit-records")
	require.Equal(t, 0, r.code, r.stderr)
	require.Equal(t, 7, c.as("clerk", "clerk-password-1", "key", "check", "BTC@regtest").code, "Sign Refund only")
}
