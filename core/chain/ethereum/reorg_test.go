package ethereum_test

import (
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/internal/ethtest"
)

func TestReorg(t *testing.T) {
	t.Parallel()

	t.Run("TransactionMinedAgainInAnotherBlock", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		ancestor := b.sim.Commit()
		tx := b.sim.Transfer(b.alice, b.bob.Address, big.NewInt(1_000))
		b.sim.Commit()
		b.sim.Commit()
		before := b.tx(t, tx)
		require.EqualValues(t, 2, before.BlockHeight)
		require.Equal(t, 2, b.confirmations(t, before))

		// The winning branch has one block before it picks the transaction up.
		b.sim.Reorg(ancestor)
		b.sim.SendRaw(tx)
		b.sim.Commit()
		after := b.tx(t, tx)
		require.NotEqual(t, before.BlockHash, after.BlockHash)
		require.EqualValues(t, 5, after.BlockHeight)
		require.Equal(t, 1, b.confirmations(t, after), "confirmations restart in the new block")
		require.Equal(t, before.Transfers, after.Transfers)

		conflicted, _, err := b.chain.Conflict(b.ctx, before.Spends)
		require.NoError(t, err)
		require.True(t, conflicted, "Conflict only sees that the nonce is used: ask it about vanished transactions only")
	})

	t.Run("SameHeightNewBlockHash", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		ancestor := b.sim.Commit()
		tx := b.sim.Transfer(b.alice, b.bob.Address, big.NewInt(1_000))
		b.sim.Commit()
		before := b.tx(t, tx)

		b.sim.Reorg(ancestor, tx)
		after := b.tx(t, tx)
		require.Equal(t, before.BlockHeight, after.BlockHeight)
		require.NotEqual(t, before.BlockHash, after.BlockHash, "a watcher that only compared heights would miss this")
		block, err := b.chain.Block(b.ctx, after.BlockHeight)
		require.NoError(t, err)
		require.Equal(t, after.BlockHash, block.Hash)
		require.Contains(t, block.TxIDs, tx.Hash().Hex())
	})

	t.Run("TransactionDisappears", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		ancestor := b.sim.Commit()
		tx := b.sim.Transfer(b.alice, b.bob.Address, big.NewInt(1_000))
		b.sim.Commit()
		before := b.tx(t, tx)
		oldBlock := before.BlockHash

		b.sim.Reorg(ancestor)
		b.requireNotFound(t, tx.Hash().Hex())
		block, err := b.chain.Block(b.ctx, before.BlockHeight)
		require.NoError(t, err)
		require.NotEqual(t, oldBlock, block.Hash)
		require.NotContains(t, block.TxIDs, tx.Hash().Hex())

		conflicted, by, err := b.chain.Conflict(b.ctx, before.Spends)
		require.NoError(t, err)
		require.False(t, conflicted, "its nonce is unused: it may still come back")
		require.Empty(t, by)
	})

	t.Run("ReplacedInTheWinningBranch", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		ancestor := b.sim.Commit()
		nonce := uint64(0)
		paid := b.sim.Send(b.alice, ethtest.Tx{To: &b.bob.Address, Value: big.NewInt(1_000), Nonce: &nonce, Gas: 21_000})
		b.sim.Commit()
		before := b.tx(t, paid)

		// The winning branch has another transaction with the same nonce.
		replacement := b.sim.Sign(b.alice, ethtest.Tx{To: &b.carol.Address, Value: big.NewInt(1_000), Nonce: &nonce, Gas: 21_000})
		b.sim.Reorg(ancestor, replacement)

		b.requireNotFound(t, paid.Hash().Hex())
		conflicted, by, err := b.chain.Conflict(b.ctx, before.Spends)
		require.NoError(t, err)
		require.True(t, conflicted)
		require.Empty(t, by, "naming the replacement would need a block scan")
	})
}

func TestConflict(t *testing.T) {
	t.Parallel()

	t.Run("ReplacedInThePoolByAHigherFee", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.sim.Commit()
		nonce := uint64(0)
		first := b.sim.Send(b.alice, ethtest.Tx{To: &b.bob.Address, Value: big.NewInt(1_000), Nonce: &nonce, Gas: 21_000, TipCap: ethtest.Gwei(1)})
		seen := b.tx(t, first)
		require.True(t, seen.InMempool())

		conflicted, _, err := b.chain.Conflict(b.ctx, seen.Spends)
		require.NoError(t, err)
		require.False(t, conflicted, "a pending nonce is not a used one")

		// Same nonce, 10%+ more on both fee caps: the pool swaps it in.
		second := b.sim.Send(b.alice, ethtest.Tx{To: &b.carol.Address, Value: big.NewInt(1_000), Nonce: &nonce, Gas: 21_000, TipCap: ethtest.Gwei(3), FeeCap: ethtest.Gwei(10)})
		b.sim.Commit()

		b.requireNotFound(t, first.Hash().Hex())
		conflicted, by, err := b.chain.Conflict(b.ctx, seen.Spends)
		require.NoError(t, err)
		require.True(t, conflicted)
		require.Empty(t, by)

		mined := b.tx(t, second)
		require.False(t, mined.InMempool())
		require.Equal(t, seen.Spends, mined.Spends, "both spend the same sender:nonce")
	})

	t.Run("ErrInvalidForMalformedSpends", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		for _, s := range []string{"", "0x", b.aliceHex, b.aliceHex + ":", b.aliceHex + ":-1", b.aliceHex + ":x",
			"abc:1", b.aliceHex[2:] + ":1", b.aliceHex + ":1:2", "txid:0"} {
			_, _, err := b.chain.Conflict(b.ctx, []string{s})
			require.Equal(t, core.EINVALID, core.ErrorCode(err), "%q: %v", s, err)
		}
	})

	t.Run("NoSpendsNoConflict", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		conflicted, _, err := b.chain.Conflict(b.ctx, nil)
		require.NoError(t, err)
		require.False(t, conflicted)
	})
}
