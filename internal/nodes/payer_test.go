package nodes_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/ethereum/go-ethereum/params"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/internal/btcdtest"
	"depositdesk/internal/ethtest"
	"depositdesk/internal/nodes"
)

// The production adapters serve a refund's calls through the set, each
// to the node of its own chain.
// Not parallel: btcdNode sets the password's environment variable.
func TestRefundCallsReachRealNodes(t *testing.T) {
	btcd := btcdtest.Start(t)
	btcd.Mature(t)
	geth := ethtest.Geth(t)
	set := nodes.NewSet(&nodes.Config{Nodes: []nodes.Node{
		btcdNode(t, btcd, "btcd", "regtest"),
		{Name: "geth", Chain: core.ChainEthereum, Network: "dev", URL: geth.URL},
	}}, nodes.OpenAdapter)
	ctx := context.Background()

	btc, err := set.Chain(ctx, btcRegtest)
	require.NoError(t, err)
	to := btcdtest.NewAddress(t)
	tx := btcd.Sign(t, btcdtest.Output{To: to, Sats: 1_234_567})
	var raw bytes.Buffer
	require.NoError(t, tx.Serialize(&raw))
	txid, err := btc.(core.Broadcaster).Send(ctx, raw.Bytes())
	require.NoError(t, err)
	require.Equal(t, tx.TxHash().String(), txid)
	amount, addr, err := btc.(core.BitcoinPayer).Unspent(ctx, txid+":0")
	require.NoError(t, err)
	require.Equal(t, "1234567", amount.String())
	require.Equal(t, to.EncodeAddress(), addr)
	_, err = btc.(core.EthereumPayer).Balance(ctx, to.EncodeAddress())
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err))
	require.Equal(t, "Node btcd cannot give balances.", core.ErrorMessage(err))

	eth, err := set.Chain(ctx, ethDev)
	require.NoError(t, err)
	alice := geth.NewAccount(ethtest.Ether(1))
	bal, err := eth.(core.EthereumPayer).Balance(ctx, alice.Address.Hex())
	require.NoError(t, err)
	require.Equal(t, ethtest.Ether(1), bal)
	// geth's pool takes up a block after it: a transaction sent at once
	// could still be checked against alice's balance before her funding.
	geth.WaitHeight(geth.Height() + 1)
	bob := ethtest.NewAccount(t)
	signed := geth.Sign(alice, ethtest.Tx{To: &bob.Address, Value: ethtest.Gwei(5), Gas: params.TxGas})
	b, err := signed.MarshalBinary()
	require.NoError(t, err)
	for range 2 {
		txid, err := eth.(core.Broadcaster).Send(ctx, b)
		require.NoError(t, err)
		require.Equal(t, signed.Hash().Hex(), txid)
	}
	_, err = eth.(core.BitcoinPayer).FeeRate(ctx)
	require.Equal(t, "Node geth cannot estimate a fee rate.", core.ErrorMessage(err))

	for _, s := range set.Status() {
		require.Equal(t, nodes.NodeOK, s.State, s.Node)
	}
}
