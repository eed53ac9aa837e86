package core_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

func TestNetworksSharingANameAreTwoNetworks(t *testing.T) {
	t.Parallel()
	btc, err := core.ParseNetwork("bitcoin/mainnet")
	require.NoError(t, err)
	eth, err := core.ParseNetwork("ethereum/mainnet")
	require.NoError(t, err)
	require.NotEqual(t, btc, eth)
	require.Equal(t, "bitcoin/mainnet", btc.String())
	for _, bad := range []string{"mainnet", "bitcoin/sepolia", "litecoin/mainnet", "bitcoin/", "/mainnet"} {
		_, err := core.ParseNetwork(bad)
		require.Equal(t, core.EINVALID, core.ErrorCode(err), bad)
	}
	// Every network the asset form offers is in the registry, with its parameters.
	for _, chain := range []string{core.ChainBitcoin, core.ChainEthereum} {
		for _, name := range core.ChainNetworks(chain) {
			n := core.Network{Chain: chain, Name: name}
			p, err := core.LookupNetwork(n)
			require.NoError(t, err)
			if n.Chain == core.ChainBitcoin {
				require.NotNil(t, p.Bitcoin, n.String())
				require.NotEmpty(t, p.GenesisHash, n.String())
			} else {
				require.NotZero(t, p.ChainID, n.String())
			}
		}
	}
}

func TestANodeIsCheckedAgainstItsNetwork(t *testing.T) {
	t.Parallel()
	lookup := func(s string) *core.NetworkParams {
		n, err := core.ParseNetwork(s)
		require.NoError(t, err)
		p, err := core.LookupNetwork(n)
		require.NoError(t, err)
		return p
	}
	regtestGenesis := lookup("bitcoin/regtest").GenesisHash
	cases := []struct {
		network string
		id      core.NodeIdentity
		refused string // "" when accepted, else a part of the message
	}{
		{"bitcoin/regtest", core.NodeIdentity{ChainName: "regtest", GenesisHash: regtestGenesis}, ""},
		{"bitcoin/testnet3", core.NodeIdentity{ChainName: "regtest", GenesisHash: regtestGenesis}, "serves bitcoin/regtest"},
		{"bitcoin/mainnet", core.NodeIdentity{ChainName: "main", GenesisHash: lookup("bitcoin/mainnet").GenesisHash}, ""},
		{"bitcoin/mainnet", core.NodeIdentity{ChainName: "main", GenesisHash: regtestGenesis}, "unknown bitcoin network"},
		{"bitcoin/testnet4", core.NodeIdentity{ChainName: "testnet4", GenesisHash: lookup("bitcoin/testnet4").GenesisHash}, ""},
		{"bitcoin/testnet3", core.NodeIdentity{ChainName: "testnet4", GenesisHash: lookup("bitcoin/testnet4").GenesisHash}, "serves bitcoin/testnet4"},
		{"ethereum/mainnet", core.NodeIdentity{ChainID: 1, GenesisHash: lookup("ethereum/mainnet").GenesisHash}, ""},
		{"ethereum/mainnet", core.NodeIdentity{ChainID: 1337, GenesisHash: "0x1234"}, "ethereum/dev or ethereum/simulated (chain id 1337"},
		{"ethereum/mainnet", core.NodeIdentity{ChainID: 1, GenesisHash: "0x1234"}, "unknown ethereum network"},
		{"ethereum/sepolia", core.NodeIdentity{ChainID: 11155111, GenesisHash: lookup("ethereum/sepolia").GenesisHash}, ""},
		{"ethereum/dev", core.NodeIdentity{ChainID: 1337, GenesisHash: "0xabcd"}, ""},
		{"ethereum/dev", core.NodeIdentity{ChainID: 1, GenesisHash: lookup("ethereum/mainnet").GenesisHash}, "serves ethereum/mainnet"},
	}
	for _, c := range cases {
		err := lookup(c.network).CheckNode(c.id)
		if c.refused == "" {
			require.NoError(t, err, "%s %+v", c.network, c.id)
			continue
		}
		require.Equal(t, core.EINVALID, core.ErrorCode(err), "%s %+v", c.network, c.id)
		require.Contains(t, core.ErrorMessage(err), c.refused)
		require.Contains(t, core.ErrorMessage(err), "not "+c.network)
	}
}
