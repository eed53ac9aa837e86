package ethereum_test

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/chain/ethereum"
	"depositdesk/internal/ethtest"
)

// testBundle is one simulated chain with the adapter over it.
type testBundle struct {
	sim                *ethtest.Sim
	chain              *ethereum.Chain
	alice, bob, carol  *ethtest.Account
	ctx                context.Context
	aliceHex, bobHex   string
	carolHex, zeroAddr string
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	sim := ethtest.Simulated(t)
	b := &testBundle{
		sim:   sim,
		chain: ethereum.New(sim.Client, ethereum.Config{ChainID: sim.ChainID}),
		alice: sim.Accounts[0], bob: sim.Accounts[1], carol: sim.Accounts[2],
		ctx: context.Background(),
	}
	b.aliceHex, b.bobHex, b.carolHex = b.alice.Address.Hex(), b.bob.Address.Hex(), b.carol.Address.Hex()
	b.zeroAddr = common.Address{}.Hex()
	return b
}

func (b *testBundle) tx(t *testing.T, tx *types.Transaction) *core.ChainTx {
	t.Helper()
	got, err := b.chain.Transaction(b.ctx, tx.Hash().Hex())
	require.NoError(t, err)
	return got
}

func (b *testBundle) confirmations(t *testing.T, got *core.ChainTx) int {
	t.Helper()
	head, err := b.chain.Head(b.ctx)
	require.NoError(t, err)
	return core.Confirmations(got.BlockHeight, head.Height)
}

func TestTransaction(t *testing.T) {
	t.Parallel()

	t.Run("NativeTransferPendingThenMined", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		amount := big.NewInt(1_500_000_000_000_000_001) // 1.5 ETH and one wei
		tx := b.sim.Transfer(b.alice, b.bob.Address, amount)

		// Before the simulated chain's first block: only the pool knows it.
		got := b.tx(t, tx)
		require.True(t, got.InMempool())
		require.Equal(t, tx.Hash().Hex(), got.TxID)
		require.Zero(t, got.BlockHeight)
		require.False(t, got.Failed)
		require.Equal(t, []string{b.aliceHex}, got.Sources)
		require.Equal(t, []string{b.aliceHex + ":0"}, got.Spends)
		require.Equal(t, []core.ChainTransfer{{Index: 0, From: b.aliceHex, To: b.bobHex, Amount: amount}}, got.Transfers)
		require.Zero(t, b.confirmations(t, got))

		block := b.sim.Commit()
		got = b.tx(t, tx)
		require.False(t, got.InMempool())
		require.Equal(t, block.Hex(), got.BlockHash)
		require.EqualValues(t, 1, got.BlockHeight)
		require.Equal(t, []core.ChainTransfer{{Index: 0, From: b.aliceHex, To: b.bobHex, Amount: amount}}, got.Transfers)
		require.Equal(t, 1, b.confirmations(t, got))

		b.sim.Commit()
		b.sim.Commit()
		require.Equal(t, 3, b.confirmations(t, b.tx(t, tx)))
	})

	t.Run("ERC20TransferFromLogs", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		token := b.sim.DeployToken(b.alice)
		b.sim.MustSucceed(token.Mint(b.alice, b.alice.Address, big.NewInt(10_000_000)))
		tx := token.Transfer(b.alice, b.bob.Address, big.NewInt(1_234_567))

		got := b.tx(t, tx)
		require.True(t, got.InMempool())
		require.Empty(t, got.Transfers, "logs exist only once mined, and a token transfer carries no value")

		r := b.sim.MustSucceed(tx)
		got = b.tx(t, tx)
		require.Equal(t, r.BlockHash.Hex(), got.BlockHash)
		require.Len(t, r.Logs, 1)
		require.Equal(t, []core.ChainTransfer{{
			Index: 0, Contract: token.Address.Hex(),
			From: b.aliceHex, To: b.bobHex, Amount: big.NewInt(1_234_567),
		}}, got.Transfers)
		require.Equal(t, []string{b.aliceHex}, got.Sources)
		require.Equal(t, big.NewInt(1_234_567), token.BalanceOf(b.bob.Address))
	})

	t.Run("MintIsATransferFromTheZeroAddress", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		token := b.sim.DeployToken(b.alice)
		tx := token.Mint(b.carol, b.bob.Address, big.NewInt(42))
		b.sim.MustSucceed(tx)
		got := b.tx(t, tx)
		require.Equal(t, []core.ChainTransfer{{
			Index: 0, Contract: token.Address.Hex(), From: b.zeroAddr, To: b.bobHex, Amount: big.NewInt(42),
		}}, got.Transfers)
		require.Equal(t, []string{b.carolHex}, got.Sources, "the source is who paid for the transaction")
	})

	t.Run("SeveralTransferLogsKeyedByPositionInTheTransaction", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		token := b.sim.DeployToken(b.alice)
		b.sim.MustSucceed(token.Mint(b.alice, b.alice.Address, big.NewInt(1_000_000)))
		// Another transaction first in the same block, so log indexes do
		// not start at 0: they count across the block.
		before := token.Transfer(b.alice, b.carol.Address, big.NewInt(1))
		tx := token.SplitTransfer(b.alice,
			[]common.Address{b.bob.Address, b.carol.Address, b.bob.Address},
			[]*big.Int{big.NewInt(100), big.NewInt(20), big.NewInt(3)})
		r := b.sim.MustSucceed(tx)
		require.Equal(t, r.BlockHash.Hex(), b.tx(t, before).BlockHash, "both in one block")

		got := b.tx(t, tx)
		require.Len(t, r.Logs, 3)
		require.Equal(t, []core.ChainTransfer{
			{Index: 0, Contract: token.Address.Hex(), From: b.aliceHex, To: b.bobHex, Amount: big.NewInt(100)},
			{Index: 1, Contract: token.Address.Hex(), From: b.aliceHex, To: b.carolHex, Amount: big.NewInt(20)},
			{Index: 2, Contract: token.Address.Hex(), From: b.aliceHex, To: b.bobHex, Amount: big.NewInt(3)},
		}, got.Transfers)
		require.Equal(t, []uint{1, 2, 3}, []uint{r.Logs[0].Index, r.Logs[1].Index, r.Logs[2].Index},
			"the block-wide log indexes count the earlier transaction's log; a deposit's key must not depend on it")
	})

	t.Run("RevertedTokenTransferIsFailedWithNoTransfers", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		token := b.sim.DeployToken(b.alice)
		b.sim.MustSucceed(token.Mint(b.alice, b.alice.Address, big.NewInt(1_000)))
		tx := token.TransferThenRevert(b.alice, b.bob.Address, big.NewInt(500))
		r := b.sim.Mine(tx)
		require.Equal(t, types.ReceiptStatusFailed, r.Status)

		got := b.tx(t, tx)
		require.True(t, got.Failed)
		require.Empty(t, got.Transfers)
		require.Equal(t, r.BlockHash.Hex(), got.BlockHash, "a failed transaction is still mined")
		require.Equal(t, []string{b.aliceHex + ":2"}, got.Spends, "and still uses its nonce")
		require.Zero(t, token.BalanceOf(b.bob.Address).Sign())
	})

	t.Run("RevertedValueTransferIsFailedWithNoTransfers", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		token := b.sim.DeployToken(b.alice)
		// The token has no payable function: sending it ether reverts.
		tx := b.sim.Send(b.alice, ethtest.Tx{To: &token.Address, Value: ethtest.Ether(1), Gas: 100_000})
		require.Len(t, b.tx(t, tx).Transfers, 1, "while pending, the value is what it claims")
		r := b.sim.Mine(tx)
		require.Equal(t, types.ReceiptStatusFailed, r.Status)

		got := b.tx(t, tx)
		require.True(t, got.Failed)
		require.Empty(t, got.Transfers)
	})

	t.Run("TransferLogOfAnotherContractNamesThatContract", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		real := b.sim.DeployToken(b.alice)
		fake := b.sim.DeployToken(b.carol) // same code, same symbol, other address
		b.sim.MustSucceed(fake.Mint(b.carol, b.carol.Address, big.NewInt(1_000_000)))
		tx := fake.Transfer(b.carol, b.bob.Address, big.NewInt(1_000_000))
		b.sim.MustSucceed(tx)

		got := b.tx(t, tx)
		require.Len(t, got.Transfers, 1)
		require.Equal(t, fake.Address.Hex(), got.Transfers[0].Contract)
		require.NotEqual(t, real.Address.Hex(), got.Transfers[0].Contract)
	})

	t.Run("AcceptsAnyCaseOfTheHash", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		tx := b.sim.Transfer(b.alice, b.bob.Address, big.NewInt(1))
		b.sim.Commit()
		got, err := b.chain.Transaction(b.ctx, "0x"+strings.ToUpper(common.Bytes2Hex(tx.Hash().Bytes())))
		require.NoError(t, err)
		require.Equal(t, tx.Hash().Hex(), got.TxID)
	})

	t.Run("ErrNotFoundForUnknownHash", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.sim.Commit()
		b.requireNotFound(t, common.HexToHash("0x1234").Hex())
	})

	t.Run("ErrIndexingNotErrNotFoundWhileTheNodeIndexes", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		// A simulated chain indexes nothing before its first block.
		_, err := b.chain.Transaction(b.ctx, common.HexToHash("0x1234").Hex())
		require.ErrorIs(t, err, ethereum.ErrIndexing)
		require.Equal(t, core.EINTERNAL, core.ErrorCode(err), "not ENOTFOUND: the node cannot tell yet")
	})

	t.Run("ErrInvalidForMalformedHash", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		for _, id := range []string{"", "0x12", "0x" + string(make([]byte, 64)), "zz" + common.Hash{}.Hex()[2:]} {
			_, err := b.chain.Transaction(b.ctx, id)
			require.Equal(t, core.EINVALID, core.ErrorCode(err), "%q: %v", id, err)
		}
	})
}

func TestHeadAndBlock(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tx := b.sim.Transfer(b.alice, b.bob.Address, big.NewInt(7))
	hash := b.sim.Commit()
	b.sim.Commit()

	head, err := b.chain.Head(b.ctx)
	require.NoError(t, err)
	require.EqualValues(t, 2, head.Height)
	require.Equal(t, b.sim.HeaderAt(2).Hash().Hex(), head.Hash)
	require.Equal(t, hash.Hex(), head.ParentHash)
	require.Empty(t, head.TxIDs)

	block, err := b.chain.Block(b.ctx, 1)
	require.NoError(t, err)
	require.Equal(t, core.ChainBlock{Height: 1, Hash: hash.Hex(), ParentHash: b.sim.HeaderAt(0).Hash().Hex(), TxIDs: []string{tx.Hash().Hex()}}, *block)

	empty, err := b.chain.Block(b.ctx, 2)
	require.NoError(t, err)
	require.Empty(t, empty.TxIDs)

	_, err = b.chain.Block(b.ctx, 3)
	require.Equal(t, core.ENOTFOUND, core.ErrorCode(err), "above the tip: %v", err)
	_, err = b.chain.Block(b.ctx, -1)
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "a negative height is a block tag on the wire: %v", err)
}

// requireNotFound asks for txid until the node has indexed its newest
// blocks (a few milliseconds after a Commit), as the watcher would ask again
// after ErrIndexing, and then requires ENOTFOUND.
func (b *testBundle) requireNotFound(t *testing.T, txid string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := b.chain.Transaction(b.ctx, txid)
		if errors.Is(err, ethereum.ErrIndexing) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		require.Equal(t, core.ENOTFOUND, core.ErrorCode(err), "%v", err)
		return
	}
}
