package keyringtest_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/zalando/go-keyring"

	"depositdesk/internal/keyringtest"
	"depositdesk/internal/nodes"
)

// A node's RPC password stored in the real Secret Service is what the desk
// reads; the configuration file names only the user.
func TestNodePasswordFromTheRealKeyring(t *testing.T) {
	keyringtest.Start(t)
	cfg, err := nodes.Parse("[[node]]\nnetwork = 'regtest'\nchain = 'bitcoin'\nurl = 'http://127.0.0.1:18443'\nuser = 'desk'\n")
	require.NoError(t, err)
	_, err = cfg.Nodes[0].Password()
	require.ErrorContains(t, err, "no password")

	require.NoError(t, keyring.Set(nodes.KeyringService, "node:bitcoin/regtest", "s3cret from the keyring"))
	pw, err := cfg.Nodes[0].Password()
	require.NoError(t, err)
	require.Equal(t, "s3cret from the keyring", pw)
	require.NoError(t, keyring.Delete(nodes.KeyringService, "node:bitcoin/regtest"))
}
