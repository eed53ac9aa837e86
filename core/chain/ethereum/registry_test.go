package ethereum_test

import (
	"testing"

	"github.com/ethereum/go-ethereum/params"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

// The desk's network registry is the one place chain ids and genesis
// hashes live; go-ethereum's own parameters vouch for its Ethereum rows.
func TestRegistryMatchesGoEthereum(t *testing.T) {
	for name, cfg := range map[string]struct {
		config  *params.ChainConfig
		genesis string
	}{
		"mainnet": {params.MainnetChainConfig, params.MainnetGenesisHash.Hex()},
		"sepolia": {params.SepoliaChainConfig, params.SepoliaGenesisHash.Hex()},
		"hoodi":   {params.HoodiChainConfig, params.HoodiGenesisHash.Hex()},
	} {
		p, err := core.LookupNetwork(core.Network{Chain: core.ChainEthereum, Name: name})
		require.NoError(t, err)
		require.Equal(t, cfg.config.ChainID.Uint64(), p.ChainID, name)
		require.Equal(t, cfg.genesis, p.GenesisHash, name)
	}
	dev, err := core.LookupNetwork(core.Network{Chain: core.ChainEthereum, Name: "dev"})
	require.NoError(t, err)
	require.Equal(t, params.AllDevChainProtocolChanges.ChainID.Uint64(), dev.ChainID, "geth --dev")
}
