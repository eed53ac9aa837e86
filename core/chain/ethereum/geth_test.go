package ethereum_test

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/chain/ethereum"
	"depositdesk/internal/ethtest"
)

// TestGeth runs the adapter against a real geth --dev, which mines a block
// every second on its own: what the simulated backend cannot show is that
// the adapter reads a node over HTTP JSON-RPC as the desk will.
func TestGeth(t *testing.T) {
	t.Parallel()
	node := ethtest.Geth(t)
	chain := ethereum.New(node.Client, ethereum.Config{}) // chain id asked from the node
	ctx := context.Background()
	alice := node.NewAccount(ethtest.Ether(10))
	bob := ethtest.NewAccount(t)

	// waitConfirmations polls until txid has at least n confirmations and
	// checks that they never went down while it waited.
	waitConfirmations := func(t *testing.T, txid string, n int) *core.ChainTx {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		last := 0
		for {
			got, err := chain.Transaction(ctx, txid)
			require.NoError(t, err)
			head, err := chain.Head(ctx)
			require.NoError(t, err)
			c := core.Confirmations(got.BlockHeight, head.Height)
			require.GreaterOrEqual(t, c, last, "confirmations went down without a reorg")
			last = c
			if c >= n {
				return got
			}
			require.True(t, time.Now().Before(deadline), "%s stuck at %d confirmations", txid, c)
			time.Sleep(200 * time.Millisecond)
		}
	}

	t.Run("NativeTransfer", func(t *testing.T) {
		amount := big.NewInt(123_456_789_000_000_001)
		tx := node.Transfer(alice, bob.Address, amount)
		first, err := chain.Transaction(ctx, tx.Hash().Hex())
		require.NoError(t, err) // in the pool, or already in the next block
		require.Equal(t, []string{alice.Address.Hex()}, first.Sources)

		got := waitConfirmations(t, tx.Hash().Hex(), 1)
		atOne := got.BlockHash
		got = waitConfirmations(t, tx.Hash().Hex(), 3)
		require.Equal(t, atOne, got.BlockHash)
		require.False(t, got.Failed)
		require.Equal(t, []core.ChainTransfer{{Index: 0, From: alice.Address.Hex(), To: bob.Address.Hex(), Amount: amount}}, got.Transfers)

		block, err := chain.Block(ctx, got.BlockHeight)
		require.NoError(t, err)
		require.Equal(t, got.BlockHash, block.Hash)
		require.Contains(t, block.TxIDs, tx.Hash().Hex())
	})

	t.Run("ERC20Transfer", func(t *testing.T) {
		token := node.DeployToken(alice)
		node.MustSucceed(token.Mint(alice, alice.Address, big.NewInt(5_000_000)))
		tx := token.Transfer(alice, bob.Address, big.NewInt(2_500_001))
		r := node.MustSucceed(tx)

		got := waitConfirmations(t, tx.Hash().Hex(), 2)
		require.Equal(t, r.BlockHash.Hex(), got.BlockHash)
		require.Equal(t, []core.ChainTransfer{{
			Index: 0, Contract: token.Address.Hex(),
			From: alice.Address.Hex(), To: bob.Address.Hex(), Amount: big.NewInt(2_500_001),
		}}, got.Transfers)
		require.Equal(t, "2500001", token.BalanceOf(bob.Address).String())
	})

	t.Run("Payer", func(t *testing.T) {
		payerSuite(t, chain, node.Chain, node.NewAccount(ethtest.Ether(10)))
	})

	t.Run("ErrNotFoundForUnknownHash", func(t *testing.T) {
		_, err := chain.Transaction(ctx, common.HexToHash("0xdead").Hex())
		require.Equal(t, core.ENOTFOUND, core.ErrorCode(err), "%v", err)
	})
}
