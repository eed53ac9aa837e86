package nodes_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/zalando/go-keyring"

	"depositdesk/core"
	"depositdesk/internal/nodes"
)

const sample = `
[[node]]
network = "regtest"
chain = "bitcoin"
url = "http://127.0.0.1:18443"
user = "desk"
password_env = "TEST_BTC_RPC_PASSWORD"
poll = "5s"

[[node]]
network = "dev"
chain = "ethereum"
url = "http://127.0.0.1:8545"
`

func TestParseAndPasswords(t *testing.T) {
	c, err := nodes.Parse(sample)
	require.NoError(t, err)
	require.Len(t, c.Nodes, 2)
	poll, err := c.Nodes[0].PollInterval()
	require.NoError(t, err)
	require.Equal(t, 5*time.Second, poll)

	_, err = c.Nodes[0].Password()
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "a named variable that is unset is a configuration error")
	t.Setenv("TEST_BTC_RPC_PASSWORD", "s3cret")
	pw, err := c.Nodes[0].Password()
	require.NoError(t, err)
	require.Equal(t, "s3cret", pw)

	open := c.Nodes[1] // no user: an open node, the keyring is not asked
	pw, err = open.Password()
	require.NoError(t, err)
	require.Empty(t, pw)

	keyring.MockInit() // unit test; the keyring integration test uses the real Secret Service
	withUser := c.Nodes[1]
	withUser.User = "desk"
	_, err = withUser.Password()
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "a user without a password anywhere is a configuration error")
	require.NoError(t, keyring.Set(nodes.KeyringService, "node:dev", "from-keyring"))
	pw, err = withUser.Password()
	require.NoError(t, err)
	require.Equal(t, "from-keyring", pw)
}

func TestRefusedConfigurations(t *testing.T) {
	for name, text := range map[string]string{
		"clear password":     "[[node]]\nnetwork='regtest'\nchain='bitcoin'\nurl='http://h:1'\npassword='x'\n",
		"credentials in url": "[[node]]\nnetwork='regtest'\nchain='bitcoin'\nurl='http://u:p@h:1'\n",
		"wrong network":      "[[node]]\nnetwork='sepolia'\nchain='bitcoin'\nurl='http://h:1'\n",
		"no scheme":          "[[node]]\nnetwork='regtest'\nchain='bitcoin'\nurl='h:1'\n",
		"two nodes":          "[[node]]\nnetwork='dev'\nchain='ethereum'\nurl='http://h:1'\n[[node]]\nnetwork='dev'\nchain='ethereum'\nurl='http://h:2'\n",
		"bad poll":           "[[node]]\nnetwork='dev'\nchain='ethereum'\nurl='http://h:1'\npoll='fast'\n",
		"not toml":           "[[node]\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := nodes.Parse(text)
			require.Equal(t, core.EINVALID, core.ErrorCode(err), "%v", err)
		})
	}
}

func TestMissingFileIsNoNodes(t *testing.T) {
	c, err := nodes.Load(filepath.Join(t.TempDir(), "nodes.toml"))
	require.NoError(t, err)
	require.Empty(t, c.Nodes)
	path := filepath.Join(t.TempDir(), "nodes.toml")
	require.NoError(t, os.WriteFile(path, []byte(sample), 0o600))
	c, err = nodes.Load(path)
	require.NoError(t, err)
	require.Len(t, c.Nodes, 2)
}
