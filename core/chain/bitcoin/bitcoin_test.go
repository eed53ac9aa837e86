package bitcoin_test

import (
	"context"
	"crypto/rand"
	"math/big"
	"os"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/chain/bitcoin"
	"depositdesk/internal/btcdtest"
)

// shared serves the tests that only read the chain; tests that mine or
// watch a mempool get their own node so parallel tests cannot disturb them.
var shared btcdtest.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Stop()
	os.Exit(code)
}

func newChain(tb testing.TB, n *btcdtest.Node) *bitcoin.Chain {
	tb.Helper()
	c, err := bitcoin.New(bitcoin.Config{Host: n.RPCHost, User: n.User, Pass: n.Pass, Params: n.Params})
	require.NoError(tb, err)
	return c
}

// matured is a node of the test's own at MatureHeight.
func matured(t *testing.T) (*btcdtest.Node, *bitcoin.Chain) {
	t.Helper()
	n := btcdtest.Start(t)
	n.Mature(t)
	return n, newChain(t, n)
}

func p2pkh(t *testing.T) btcutil.Address {
	t.Helper()
	h := make([]byte, 20)
	_, _ = rand.Read(h)
	a, err := btcutil.NewAddressPubKeyHash(h, &chaincfg.RegressionNetParams)
	require.NoError(t, err)
	return a
}

func TestHeadAndBlockFollowTheNode(t *testing.T) {
	t.Parallel()
	n := shared.Get(t)
	c := newChain(t, n)
	ctx := context.Background()

	before := c.Calls()
	head, err := c.Head(ctx)
	require.NoError(t, err)
	require.Equal(t, uint64(2), c.Calls()-before, "Head is two RPCs")
	require.GreaterOrEqual(t, head.Height, int64(btcdtest.MatureHeight))
	require.Equal(t, n.BestHash(t), head.Hash)
	require.Empty(t, head.TxIDs)

	before = c.Calls()
	blk, err := c.Block(ctx, head.Height)
	require.NoError(t, err)
	require.Equal(t, uint64(2), c.Calls()-before, "Block is two RPCs")
	require.Equal(t, head.Hash, blk.Hash)
	require.Equal(t, head.ParentHash, blk.ParentHash)
	require.Len(t, blk.TxIDs, 1, "a mined empty block holds its coinbase")

	parent, err := c.Block(ctx, head.Height-1)
	require.NoError(t, err)
	require.Equal(t, blk.ParentHash, parent.Hash)

	genesis, err := c.Block(ctx, 0)
	require.NoError(t, err)
	require.Equal(t, chaincfg.RegressionNetParams.GenesisHash.String(), genesis.Hash)
	require.Empty(t, genesis.ParentHash)

	_, err = c.Block(ctx, head.Height+1000)
	require.Equal(t, core.ENOTFOUND, core.ErrorCode(err), "above the tip: %v", err)
	_, err = c.Block(ctx, -1)
	require.Equal(t, core.EINVALID, core.ErrorCode(err))
}

func TestUnknownTransactionIsNotFound(t *testing.T) {
	t.Parallel()
	c := newChain(t, shared.Get(t))
	_, err := c.Transaction(context.Background(), "00000000000000000000000000000000000000000000000000000000000000ab")
	require.Equal(t, core.ENOTFOUND, core.ErrorCode(err), "%v", err)
	_, err = c.Transaction(context.Background(), "not-a-hash")
	require.Equal(t, core.EINVALID, core.ErrorCode(err))
}

func TestCoinbaseHasNoSourcesOrSpends(t *testing.T) {
	t.Parallel()
	n := shared.Get(t)
	c := newChain(t, n)
	ctx := context.Background()
	blk, err := c.Block(ctx, 7)
	require.NoError(t, err)
	tx, err := c.Transaction(ctx, blk.TxIDs[0])
	require.NoError(t, err)
	require.Equal(t, blk.Hash, tx.BlockHash)
	require.Equal(t, int64(7), tx.BlockHeight)
	require.Empty(t, tx.Sources)
	require.Empty(t, tx.Spends)
	require.Len(t, tx.Transfers, 1, "the witness commitment pays no address")
	require.Equal(t, n.Address().EncodeAddress(), tx.Transfers[0].To)
	require.Equal(t, big.NewInt(int64(50*btcutil.SatoshiPerBitcoin)), tx.Transfers[0].Amount)
}

func TestPaymentIsSeenInTheMempoolThenConfirmed(t *testing.T) {
	t.Parallel()
	n, c := matured(t)
	ctx := context.Background()
	segwit, legacy := btcdtest.NewAddress(t), p2pkh(t)
	txid := n.SendMany(t, btcdtest.Output{To: segwit, Sats: 123_456_789}, btcdtest.Output{To: legacy, Sats: 1_001})

	before := c.Calls()
	tx, err := c.Transaction(ctx, txid)
	require.NoError(t, err)
	require.Equal(t, uint64(3), c.Calls()-before, "tx, its one spent tx, one gettxout to confirm it waits")
	require.True(t, tx.InMempool())
	require.Zero(t, tx.BlockHeight)
	require.Equal(t, txid, tx.TxID)
	require.Equal(t, []string{n.Address().EncodeAddress()}, tx.Sources)
	require.Len(t, tx.Spends, 1)
	require.Len(t, tx.Transfers, 3, "two payments and the change")
	require.Equal(t, core.ChainTransfer{Index: 0, To: segwit.EncodeAddress(), Amount: big.NewInt(123_456_789)}, tx.Transfers[0])
	require.Equal(t, core.ChainTransfer{Index: 1, To: legacy.EncodeAddress(), Amount: big.NewInt(1_001)}, tx.Transfers[1])
	change := int64(50*btcutil.SatoshiPerBitcoin) - 123_456_789 - 1_001 - btcdtest.Fee
	require.Equal(t, core.ChainTransfer{Index: 2, To: n.Address().EncodeAddress(), Amount: big.NewInt(change)}, tx.Transfers[2])
	require.Equal(t, 0, core.Confirmations(tx.BlockHeight, int64(btcdtest.MatureHeight)))

	hashes := n.Generate(t, 1)
	before = c.Calls()
	tx, err = c.Transaction(ctx, txid)
	require.NoError(t, err)
	require.Equal(t, uint64(3), c.Calls()-before, "tx, its block header, its one spent tx")
	require.Equal(t, hashes[0].String(), tx.BlockHash)
	blk, err := c.Block(ctx, tx.BlockHeight)
	require.NoError(t, err)
	require.Equal(t, tx.BlockHash, blk.Hash)
	require.Contains(t, blk.TxIDs, txid)

	for want := 1; want <= 4; want++ {
		head, err := c.Head(ctx)
		require.NoError(t, err)
		require.Equal(t, want, core.Confirmations(tx.BlockHeight, head.Height))
		n.Generate(t, 1)
	}
	before = c.Calls()
	again, err := c.Transaction(ctx, txid)
	require.NoError(t, err)
	require.Equal(t, tx, again, "more blocks change nothing about the transaction")
	require.Equal(t, uint64(2), c.Calls()-before, "tx and its spent tx: Block read its block, whose height is known")

	trips := c.Trips()
	unknown := "00000000000000000000000000000000000000000000000000000000000000ab"
	txs, errs := c.Transactions(ctx, []string{txid, unknown, txid})
	require.Equal(t, uint64(2), c.Trips()-trips, "btcd answers batches: the transactions, then what they spend")
	require.NoError(t, errs[0])
	require.Equal(t, tx, txs[0], "a batch says what Transaction says")
	require.Equal(t, core.ENOTFOUND, core.ErrorCode(errs[1]), "%v", errs[1])
	require.NoError(t, errs[2])
	require.Equal(t, tx, txs[2])

	conflicted, by, err := c.Conflict(ctx, tx.Spends)
	require.NoError(t, err)
	require.True(t, conflicted, "a mined transaction is its own spender")
	require.Equal(t, txid, by)
	conflicted, _, err = c.Conflict(ctx, []string{txid + ":0", txid + ":1"})
	require.NoError(t, err)
	require.False(t, conflicted, "its own outputs are unspent")
}

func TestReplacementInTheMempoolIsAConflict(t *testing.T) {
	t.Parallel()
	n, c := matured(t)
	ctx := context.Background()
	to := btcdtest.NewAddress(t)
	orig := n.Send(t, to, 700_000)
	tx, err := c.Transaction(ctx, orig)
	require.NoError(t, err)

	repl := n.SendConflicting(t, orig, to, 600_000) // BIP 125 replacement
	_, err = c.Transaction(ctx, orig)
	require.Equal(t, core.ENOTFOUND, core.ErrorCode(err), "replaced: %v", err)
	conflicted, by, err := c.Conflict(ctx, tx.Spends)
	require.NoError(t, err)
	require.True(t, conflicted)
	require.Equal(t, repl, by, "the replacement, from the mempool")

	n.Generate(t, 1)
	conflicted, by, err = c.Conflict(ctx, tx.Spends)
	require.NoError(t, err)
	require.True(t, conflicted)
	require.Equal(t, repl, by, "the replacement, mined")

	_, _, err = c.Conflict(ctx, []string{"nonsense"})
	require.Equal(t, core.EINVALID, core.ErrorCode(err))
	conflicted, by, err = c.Conflict(ctx, []string{"00000000000000000000000000000000000000000000000000000000000000ab:0"})
	require.NoError(t, err)
	require.False(t, conflicted, "an output of an unknown transaction is spent by nothing")
	require.Empty(t, by)
}

// TestReorgMovesAndDropsTransactions mines a block on one node and three
// competing ones on a fork of it, then joins them: the first node's block at
// that height changes; a transaction in both chains moves to the new block;
// one only in the old block goes back to the mempool; and one the fork
// double-spent vanishes, with Conflict naming the double-spend.
func TestReorgMovesAndDropsTransactions(t *testing.T) {
	t.Parallel()
	n, c := matured(t)
	ctx := context.Background()
	fork := n.Fork(t)
	forkHeight := n.Height(t)

	both := n.Send(t, btcdtest.NewAddress(t), 10_000)
	raw, err := n.Client().GetRawTransaction(mustHash(t, both))
	require.NoError(t, err)
	_, err = fork.Client().SendRawTransaction(raw.MsgTx(), false)
	require.NoError(t, err)
	stays := n.Send(t, btcdtest.NewAddress(t), 20_000)
	doomed := n.Send(t, btcdtest.NewAddress(t), 30_000)
	old := n.Generate(t, 1)[0].String()

	blk, err := c.Block(ctx, forkHeight+1)
	require.NoError(t, err)
	require.Equal(t, old, blk.Hash)
	for _, id := range []string{both, stays, doomed} {
		tx, err := c.Transaction(ctx, id)
		require.NoError(t, err)
		require.Equal(t, old, tx.BlockHash)
	}
	doomedTx, err := c.Transaction(ctx, doomed)
	require.NoError(t, err)

	double := fork.SendConflicting(t, doomed, btcdtest.NewAddress(t), 25_000)
	// Three blocks with the transactions in the first: btcd then leaves
	// its mempool stale (see reconcile), the hard case for the adapter.
	newer := fork.Generate(t, 3)
	n.Connect(t, fork)

	t.Logf("btcd mempool after the reorg: both %v, stays %v, doomed %v (stale when true but for stays)",
		n.InMempool(t, both), n.InMempool(t, stays), n.InMempool(t, doomed))

	head, err := c.Head(ctx)
	require.NoError(t, err)
	require.Equal(t, newer[2].String(), head.Hash)
	blk, err = c.Block(ctx, forkHeight+1)
	require.NoError(t, err)
	require.Equal(t, newer[0].String(), blk.Hash, "the block at the height changed")

	tx, err := c.Transaction(ctx, both)
	require.NoError(t, err)
	require.Equal(t, newer[0].String(), tx.BlockHash, "mined in both chains: now in the new block")
	require.Equal(t, forkHeight+1, tx.BlockHeight)
	require.Equal(t, 3, core.Confirmations(tx.BlockHeight, head.Height))

	tx, err = c.Transaction(ctx, stays)
	require.NoError(t, err)
	require.True(t, tx.InMempool(), "only in the old block: back to the mempool")

	_, err = c.Transaction(ctx, doomed)
	require.Equal(t, core.ENOTFOUND, core.ErrorCode(err), "double-spent by a block: %v", err)
	conflicted, by, err := c.Conflict(ctx, doomedTx.Spends)
	require.NoError(t, err)
	require.True(t, conflicted)
	require.Equal(t, double, by)
	tx, err = c.Transaction(ctx, double)
	require.NoError(t, err)
	require.Equal(t, newer[0].String(), tx.BlockHash)
}

func TestStoppedNodeIsAnErrorNotAPanic(t *testing.T) {
	t.Parallel()
	n := btcdtest.Start(t)
	n.Generate(t, 3)
	c, err := bitcoin.New(bitcoin.Config{Host: n.RPCHost, User: n.User, Pass: n.Pass, Params: n.Params, Timeout: 300 * time.Millisecond})
	require.NoError(t, err)
	ctx := context.Background()
	head, err := c.Head(ctx)
	require.NoError(t, err)
	blk, err := c.Block(ctx, 1)
	require.NoError(t, err)

	n.Stop()
	start := time.Now()
	_, err = c.Head(ctx)
	require.Error(t, err)
	_, err = c.Block(ctx, head.Height)
	require.Error(t, err)
	require.NotEqual(t, core.ENOTFOUND, core.ErrorCode(err), "a dead node is no proof of absence")
	tx, err := c.Transaction(ctx, blk.TxIDs[0])
	require.Error(t, err)
	require.Nil(t, tx)
	require.NotEqual(t, core.ENOTFOUND, core.ErrorCode(err))
	_, _, err = c.Conflict(ctx, []string{blk.TxIDs[0] + ":0"})
	require.Error(t, err)
	require.Less(t, time.Since(start), 5*time.Second, "each call gives up after Timeout")

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = c.Head(cancelled)
	require.ErrorIs(t, err, context.Canceled)
}

func mustHash(t *testing.T, s string) *chainhash.Hash {
	t.Helper()
	h, err := chainhash.NewHashFromStr(s)
	require.NoError(t, err)
	return h
}

// BenchmarkBitcoinNewBlock is the watcher's cost of one new block: poll the head,
// fetch the block. It reports RPCs per block, which the package comment
// promises to be 4.
func BenchmarkBitcoinNewBlock(b *testing.B) {
	n := shared.Get(b)
	c := newChain(b, n)
	ctx := context.Background()
	before := c.Calls()
	for b.Loop() {
		b.StopTimer()
		n.Generate(b, 1)
		b.StartTimer()
		head, err := c.Head(ctx)
		require.NoError(b, err)
		_, err = c.Block(ctx, head.Height)
		require.NoError(b, err)
	}
	b.ReportMetric(float64(c.Calls()-before)/float64(b.N), "rpcs/block")
}
