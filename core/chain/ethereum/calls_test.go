package ethereum_test

import (
	"context"
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/core/chain/ethereum"
	"depositdesk/internal/ethtest"
)

// TestCalls pins the round trips of each method, which the watcher's cost
// model (about one call per new block plus one per affected deposit)
// is built on.
func TestCalls(t *testing.T) {
	t.Parallel()
	b := setup(t)
	chain := ethereum.New(b.sim.Client, ethereum.Config{}) // chain id from the node
	tx := b.sim.Transfer(b.alice, b.bob.Address, big.NewInt(1))

	cost := func(f func()) uint64 {
		before := chain.Calls()
		f()
		return chain.Calls() - before
	}
	require.EqualValues(t, 2, cost(func() {
		_, err := chain.Transaction(b.ctx, tx.Hash().Hex())
		require.NoError(t, err)
	}), "pending, first call: the transaction and the chain id")
	require.EqualValues(t, 1, cost(func() {
		_, err := chain.Transaction(b.ctx, tx.Hash().Hex())
		require.NoError(t, err)
	}), "pending: the transaction only")
	b.sim.Commit()
	require.EqualValues(t, 2, cost(func() {
		_, err := chain.Transaction(b.ctx, tx.Hash().Hex())
		require.NoError(t, err)
	}), "mined: the transaction and its receipt")
	require.EqualValues(t, 1, cost(func() {
		_, err := chain.Head(b.ctx)
		require.NoError(t, err)
	}))
	require.EqualValues(t, 1, cost(func() {
		_, err := chain.Block(b.ctx, 1)
		require.NoError(t, err)
	}))
	require.EqualValues(t, 1, cost(func() {
		_, err := chain.Block(b.ctx, 99)
		require.Error(t, err)
	}), "a failed call costs the node as much")
	require.EqualValues(t, 1, cost(func() {
		_, _, err := chain.Conflict(b.ctx, []string{ethereum.Spend(b.alice.Address, 0), ethereum.Spend(b.alice.Address, 1)})
		require.NoError(t, err)
	}), "one nonce lookup per sender")
	require.EqualValues(t, 0, cost(func() {
		_, err := chain.Transaction(b.ctx, "not a hash")
		require.Error(t, err)
	}), "rejected before any call")
}

// BenchmarkEthereumNewBlock measures what the watcher pays per new block holding
// one deposit: the head, the block, and the deposit's transaction. It
// reports rpc/block beside the time.
func BenchmarkEthereumNewBlock(b *testing.B) {
	sim := ethtest.Simulated(b)
	chain := ethereum.New(sim.Client, ethereum.Config{ChainID: sim.ChainID})
	ctx := context.Background()
	from, to := sim.Accounts[0], sim.Accounts[1]
	sim.Commit()

	var rpcs, blocks uint64
	for b.Loop() {
		blocks++
		b.StopTimer()
		tx := sim.Transfer(from, to.Address, big.NewInt(1))
		sim.Commit()
		before := chain.Calls()
		b.StartTimer()

		head, err := chain.Head(ctx)
		if err != nil {
			b.Fatal(err)
		}
		block, err := chain.Block(ctx, head.Height)
		if err != nil {
			b.Fatal(err)
		}
		for _, id := range block.TxIDs {
			if id != tx.Hash().Hex() {
				continue
			}
			if _, err := chain.Transaction(ctx, id); err != nil {
				b.Fatal(err)
			}
		}
		rpcs += chain.Calls() - before
	}
	b.ReportMetric(float64(rpcs)/float64(blocks), "rpc/block")
}
