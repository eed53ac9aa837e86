package watcher_test

import (
	"context"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/chain/bitcoin"
	"depositdesk/internal/btcdtest"
)

// btcDesk follows a fresh, matured btcd regtest node whose harness key is
// the customer's own wallet.
func btcDesk(t testing.TB) (*liveDesk, *btcdtest.Node, btcutil.Address) {
	node := btcdtest.Start(t)
	node.Mature(t)
	chain, err := bitcoin.New(bitcoin.Config{Host: node.RPCHost, User: node.User, Pass: node.Pass, Params: node.Params})
	require.NoError(t, err)
	asset := &core.Asset{Chain: core.ChainBitcoin, Network: "regtest", Symbol: "BTC", Decimals: 8, MinDeposit: sats(10_000),
		ConfirmationsRequired: 3, Enabled: true, AccountXPub: accountXPub(t, 84, 1, &chaincfg.RegressionNetParams)}
	d := newLiveDesk(t, chain, asset, node.Address().EncodeAddress(), func(msg string) (string, string) {
		return core.ProofBIP137, node.SignMessage(msg)
	})
	to, err := btcutil.DecodeAddress(d.deposit, node.Params)
	require.NoError(t, err)
	return d, node, to
}

func TestBitcoinDepositOnARealNode(t *testing.T) {
	t.Parallel()
	d, node, to := btcDesk(t)
	txid := node.Send(t, to, 1_500_000)
	rec := d.submit(t, "0.015", txid, 0)

	require.Equal(t, core.StatusVerifying, d.step(t, rec).Status, "in the mempool: not confirming yet")
	node.Generate(t, 1)
	got := d.step(t, rec)
	require.Equal(t, core.StatusConfirming, got.Status)
	require.Equal(t, 1, got.Confirmations)
	node.Generate(t, 1)
	require.Equal(t, 2, d.step(t, rec).Confirmations)
	node.Generate(t, 1)
	got = d.step(t, rec)
	require.Equal(t, core.StatusCredited, got.Status)
	require.Equal(t, 3, got.Confirmations)
	t.Logf("BTC deposit %s (tx %s): %s", rec.RecordNo, txid, d.history(t, rec))
}

func TestBitcoinReorgNeverCredits(t *testing.T) {
	t.Parallel()
	d, node, to := btcDesk(t)
	rival := node.Fork(t) // synced, then cut off: it will mine a longer chain without the deposit
	txid := node.Send(t, to, 2_000_000)
	rec := d.submit(t, "0.02", txid, 0)
	node.Generate(t, 2)
	got := d.step(t, rec)
	require.Equal(t, core.StatusConfirming, got.Status)
	require.Equal(t, 2, got.Confirmations)
	orphaned := got.BlockHash

	rival.Generate(t, 4)
	node.Connect(t, rival) // the longer chain wins; the deposit's block is orphaned
	got = d.step(t, rec)
	require.NotEqual(t, core.StatusCredited, got.Status, "never credited on an orphaned block")
	if got.Status == core.StatusConfirming {
		require.NotEqual(t, orphaned, got.BlockHash)
	}
	require.Contains(t, d.history(t, rec), "Confirming → Wallet Address Under Verification")

	node.Generate(t, 3) // mined again on the winning chain
	got = d.step(t, rec)
	require.Equal(t, core.StatusCredited, got.Status)
	require.NotEqual(t, orphaned, got.BlockHash)
	t.Logf("BTC reorg %s (tx %s): %s", rec.RecordNo, txid, d.history(t, rec))
}

func TestBitcoinDoubleSpendIsHeld(t *testing.T) {
	t.Parallel()
	d, node, to := btcDesk(t)
	txid := node.Send(t, to, 1_200_000)
	rec := d.submit(t, "0.012", txid, 0)
	require.Equal(t, core.StatusVerifying, d.step(t, rec).Status)
	thief := btcdtest.NewAddress(t)
	replacement := node.SendConflicting(t, txid, thief, 1_100_000)
	node.Generate(t, 1)
	got := d.step(t, rec)
	require.Equal(t, core.StatusHeld, got.Status)
	require.Contains(t, got.Remarks, replacement)
	t.Logf("BTC double-spend %s: %s (%s)", rec.RecordNo, d.history(t, rec), got.Remarks)
}

func TestBitcoinNodeDownMidLoopChangesNothing(t *testing.T) {
	t.Parallel()
	d, node, to := btcDesk(t)
	txid := node.Send(t, to, 1_300_000)
	rec := d.submit(t, "0.013", txid, 0)
	node.Generate(t, 1)
	got := d.step(t, rec)
	require.Equal(t, core.StatusConfirming, got.Status)
	node.Stop()
	_, err := d.w.Step(context.Background())
	require.Error(t, err, "a pass against a dead node fails")
	after, err := d.svc.DepositDetail(d.admin, rec.RecordNo)
	require.NoError(t, err)
	require.Equal(t, got.Status, after.Record.Status)
	require.Equal(t, got.Confirmations, after.Record.Confirmations)
	require.Equal(t, got.UpdatedAt, after.Record.UpdatedAt)
}

// BenchmarkBitcoinRPCsPerBlock counts real btcd RPCs for a block paying 10
// new records while 10,000 others stay open, next to what asking the node
// about every open record each block would cost.
func BenchmarkBitcoinRPCsPerBlock(b *testing.B) {
	d, node, to := btcDesk(b)
	chain := d.w.Chain.(*bitcoin.Chain)
	openRecords(b, d.store, 10_000, node.Address().EncodeAddress(), d.deposit)
	before := chain.Calls()
	if _, err := d.w.Step(context.Background()); err != nil {
		b.Fatal(err)
	}
	perLookup := float64(chain.Calls()-before-4) / 10_000 // minus head and block
	var perBlock uint64
	for i := 0; b.Loop(); i++ {
		recs := make([]*core.DepositRecord, 10)
		for j := range recs {
			recs[j] = d.submit(b, "0.0001", node.Send(b, to, 10_000), 0)
		}
		node.Generate(b, 1)
		before := chain.Calls()
		if _, err := d.w.Step(context.Background()); err != nil {
			b.Fatal(err)
		}
		perBlock = chain.Calls() - before
	}
	b.ReportMetric(float64(perBlock), "rpcs/block")
	b.ReportMetric(4+perLookup*10_010, "naive-rpcs/block")
}
