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
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err), "a named variable that is unset keeps the node closed")
	require.Contains(t, core.ErrorMessage(err), "$TEST_BTC_RPC_PASSWORD")
	t.Setenv("TEST_BTC_RPC_PASSWORD", "s3cret")
	pw, err := c.Nodes[0].Password()
	require.NoError(t, err)
	require.Equal(t, "s3cret", pw)

	open := c.Nodes[1] // no user: an open node, the keyring is not asked
	pw, err = open.Password()
	require.NoError(t, err)
	require.Empty(t, pw)

	keyring.MockInit() // unit test; the keyring integration test uses the real Secret Service
	// The mock needs no bus, but the desk asks for one before any keyring call.
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/mock")
	withUser := c.Nodes[1]
	withUser.User = "desk"
	_, err = withUser.Password()
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err), "a user without a password anywhere keeps the node closed")
	require.NoError(t, keyring.Set(nodes.KeyringService, "node:ethereum/dev", "from-keyring"))
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
		"two unnamed nodes":  "[[node]]\nnetwork='dev'\nchain='ethereum'\nurl='http://h:1'\n[[node]]\nnetwork='dev'\nchain='ethereum'\nurl='http://h:2'\n",
		"two nodes one name": "[[node]]\nname='a'\nnetwork='dev'\nchain='ethereum'\nurl='http://h:1'\n[[node]]\nname='a'\nnetwork='dev'\nchain='ethereum'\nurl='http://h:2'\n",
		"unknown network":    "[[node]]\nnetwork='testnet9'\nchain='bitcoin'\nurl='http://h:1'\n",
		"bad timeout":        "[[node]]\nnetwork='dev'\nchain='ethereum'\nurl='http://h:1'\ntimeout='forever'\n",
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

// Bitcoin and Ethereum both call their main network "mainnet": one file
// configures both, and several named nodes may serve one network.
func TestBothMainnetsSideBySide(t *testing.T) {
	c, err := nodes.Parse(`
[[node]]
chain = "bitcoin"
network = "mainnet"
url = "http://127.0.0.1:8332"
user = "desk"
password_env = "BTC_RPC_PASSWORD"

[[node]]
name = "own-geth"
chain = "ethereum"
network = "mainnet"
url = "http://127.0.0.1:8545"
timeout = "3s"

[[node]]
name = "provider"
chain = "ethereum"
network = "mainnet"
url = "https://eth.example.net"
`)
	require.NoError(t, err)
	require.Equal(t, []core.Network{{Chain: core.ChainBitcoin, Name: "mainnet"}, {Chain: core.ChainEthereum, Name: "mainnet"}}, c.Networks())
	require.Equal(t, "bitcoin/mainnet", c.Nodes[0].Label())
	require.Equal(t, "own-geth", c.Nodes[1].Label())
	timeout, err := c.Nodes[1].CallTimeout()
	require.NoError(t, err)
	require.Equal(t, 3*time.Second, timeout)
	timeout, err = c.Nodes[2].CallTimeout()
	require.NoError(t, err)
	require.Equal(t, nodes.DefaultTimeout, timeout)
}
