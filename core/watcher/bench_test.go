package watcher_test

import (
	"context"
	"fmt"
	"math/big"
	"runtime"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/chain/bitcoin"
	"depositdesk/core/chain/ethereum"
	"depositdesk/core/watcher"
	"depositdesk/internal/ethtest"
)

// benchDesk is a desk a per-block benchmark drives: a store holding the
// open set, a watcher over a node, a way to pay the desk and to mine.
type benchDesk struct {
	store  core.Store
	w      *watcher.Watcher
	calls  func() int
	trips  func() int // round trips to the node, where batches make them fewer than calls
	src    string
	dst    string
	amount *big.Int
	// pay broadcasts n payments of amount from src to dst and returns
	// their TXIDs; mine mines n blocks.
	pay  func(tb testing.TB, n int) []string
	mine func(tb testing.TB, n int)
	// refill mines blocks when the node could not fund n more payments
	// and says whether it did; nil where funds never run out.
	refill func(tb testing.TB, n int) bool
	next   int // record numbers used
}

// customerAndAsset is the desk's one customer and one asset, whose
// applications the benchmark stores.
func (d *benchDesk) customerAndAsset(tb testing.TB) (*core.Customer, *core.Asset) {
	ctx := context.Background()
	cs, err := d.store.FindCustomers(ctx, core.CustomerFilter{})
	require.NoError(tb, err)
	as, err := d.store.FindAssets(ctx, core.AssetFilter{})
	require.NoError(tb, err)
	return cs[0], as[0]
}

// roundTrips is the node round trips so far, 0 where they are not counted.
func (d *benchDesk) roundTrips() int {
	if d.trips == nil {
		return 0
	}
	return d.trips()
}

// seed stores one application under verification per TXID through the
// bulk path the seed uses, as the intake would have stored them.
func (d *benchDesk) seed(tb testing.TB, txids []string) {
	tb.Helper()
	ctx := context.Background()
	c, a := d.customerAndAsset(tb)
	day := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	seq := func(yield func(*core.DepositRecord) bool) {
		for _, id := range txids {
			d.next++
			at := day.Add(time.Duration(d.next) * time.Second)
			r := &core.DepositRecord{RecordNo: core.FormatRecordNo(day, int64(d.next)), CustomerID: c.ID, CustomerNo: c.CustomerNo,
				SecuritiesAccount: c.SecuritiesAccount, AssetID: a.ID, AssetSymbol: a.Symbol, Chain: a.Chain, Network: a.Network,
				Decimals: a.Decimals, Amount: d.amount, SourceAddress: d.src, DestinationAddress: d.dst, TxID: id,
				RequestedAt: at, CreatedAt: at, UpdatedAt: at, Status: core.StatusVerifying, ConfirmationsRequired: a.ConfirmationsRequired}
			if !yield(r) {
				return
			}
		}
	}
	n, err := d.store.BulkInsertDeposits(ctx, seq, func(r *core.DepositRecord) core.AuditEntry {
		return core.AuditEntry{At: day, Actor: core.SeedActor, Action: "deposit.seed", Entity: "deposit", EntityID: r.RecordNo,
			After: string(r.Status), Remarks: core.DepositFacts(r)}
	})
	require.NoError(tb, err)
	require.Equal(tb, len(txids), n)
}

// record stores one application under verification per TXID one at a
// time, as the intake stores them between blocks. Not through the bulk
// path: on a small table that drops and rebuilds the indexes, a schema
// change that makes every connection reload the schema and prepare its
// statements again at its next use, inside the measured pass.
func (d *benchDesk) record(tb testing.TB, txids []string) {
	tb.Helper()
	ctx := context.Background()
	c, a := d.customerAndAsset(tb)
	at := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	for _, id := range txids {
		r := &core.DepositRecord{CustomerID: c.ID, CustomerNo: c.CustomerNo, SecuritiesAccount: c.SecuritiesAccount,
			AssetID: a.ID, AssetSymbol: a.Symbol, Chain: a.Chain, Network: a.Network, Decimals: a.Decimals, Amount: d.amount,
			SourceAddress: d.src, DestinationAddress: d.dst, TxID: id, RequestedAt: at, CreatedAt: at, UpdatedAt: at,
			Status: core.StatusVerifying, ConfirmationsRequired: a.ConfirmationsRequired, Channel: core.ChannelAPI}
		_, created, err := d.store.CreateDeposit(ctx, r, core.AuditEntry{At: at, Actor: "intake", Action: "deposit.create",
			Entity: "deposit", After: string(r.Status), Remarks: core.DepositFacts(r)})
		require.NoError(tb, err)
		require.True(tb, created, "transaction %s recorded twice", id)
	}
}

// fill seeds open applications whose transactions the node does not know.
func (d *benchDesk) fill(tb testing.TB, open int) {
	tb.Helper()
	ids := make([]string, open)
	for i := range ids {
		ids[i] = fmt.Sprintf("%064x", 0xbe000000+d.next+i)
	}
	d.seed(tb, ids)
}

// naivePass is the baseline: each block, read the open set and ask the
// node about every record in it. It only asks; acting on the answers
// would cost more still.
func naivePass(ctx context.Context, store core.Store, chain core.Chain, n core.Network) (head int64, err error) {
	h, err := chain.Head(ctx)
	if err != nil {
		return 0, err
	}
	open, err := store.FindWatchedDeposits(ctx, n)
	if err != nil {
		return 0, err
	}
	for _, r := range open {
		if _, err := chain.Transaction(ctx, r.TxID); err != nil && core.ErrorCode(err) != core.ENOTFOUND {
			return 0, err
		}
	}
	return h.Height, nil
}

// changedPerBlock is how many applications each benchmarked block pays:
// they are recorded just before the block, as the intake would.
const changedPerBlock = 10

// warmUpBlocks are passed before a per-block benchmark measures; -short
// takes one (geth makes a block a second).
func warmUpBlocks() int {
	if testing.Short() {
		return 1
	}
	return 4
}

// benchPerBlock measures passes over blocks that each pay 10 new
// applications while open other applications wait: wall time, node calls
// and bytes allocated per block, for the watcher or the naive loop. Where
// the node mines by the clock (geth --dev) a pass may meet more than one
// block; the figures are per block met.
func benchPerBlock(b *testing.B, d *benchDesk, open int, naive bool) {
	ctx := context.Background()
	d.fill(b, open)
	rep, err := d.w.Step(ctx) // start-up looks every open record up once
	require.NoError(b, err)
	// A few blocks first, so the store has settled after the seed (SQLite
	// checkpoints its log) and records are confirming as on a working day.
	for range warmUpBlocks() {
		d.record(b, d.pay(b, changedPerBlock))
		d.mine(b, 1)
		rep, err = d.w.Step(ctx)
		require.NoError(b, err)
	}
	tip := rep.Head
	var calls, trips, blocks int
	var bytes uint64
	var m0, m1 runtime.MemStats
	var took time.Duration
	for b.Loop() {
		b.StopTimer()
		tip = d.topUp(ctx, b, naive, tip)
		d.record(b, d.pay(b, changedPerBlock))
		d.mine(b, 1)
		c0, t0 := d.calls(), d.roundTrips()
		runtime.ReadMemStats(&m0)
		b.StartTimer()
		start := time.Now()
		if naive {
			head, err := naivePass(ctx, d.store, d.w.Chain, d.w.Network)
			require.NoError(b, err)
			blocks += int(head - tip)
			tip = head
		} else {
			rep, err := d.w.Step(ctx)
			require.NoError(b, err)
			if rep.NewBlocks < 1 || rep.Transitions < changedPerBlock {
				b.Fatalf("pass saw %d blocks and made %d transitions, want ≥ 1 and ≥ %d", rep.NewBlocks, rep.Transitions, changedPerBlock)
			}
			blocks += rep.NewBlocks
		}
		took += time.Since(start)
		b.StopTimer()
		runtime.ReadMemStats(&m1)
		calls += d.calls() - c0
		trips += d.roundTrips() - t0
		bytes += m1.TotalAlloc - m0.TotalAlloc
		b.StartTimer()
	}
	n := float64(max(blocks, 1))
	b.ReportMetric(took.Seconds()*1e3/n, "ms/block")
	b.ReportMetric(float64(calls)/n, "calls/block")
	if d.trips != nil {
		b.ReportMetric(float64(trips)/n, "trips/block")
	}
	b.ReportMetric(float64(bytes)/n/1e6, "MB/block")
}

// topUp mines blocks when the node could not fund another block of
// payments and passes over them here, untimed, with the watcher or the
// naive loop, so that the timed pass meets the one block that pays. It
// returns the naive loop's tip after them (tip when nothing was mined).
func (d *benchDesk) topUp(ctx context.Context, tb testing.TB, naive bool, tip int64) int64 {
	if d.refill == nil || !d.refill(tb, changedPerBlock) {
		return tip
	}
	if naive {
		head, err := naivePass(ctx, d.store, d.w.Chain, d.w.Network)
		require.NoError(tb, err)
		return head
	}
	for rep := (watcher.Report{NewBlocks: 1}); rep.NewBlocks > 0; {
		var err error
		rep, err = d.w.Step(ctx)
		require.NoError(tb, err)
	}
	return tip
}

// benchCatchUp starts a watcher at the tip over open applications, stops
// it while the node mines blocks (the first paying 10 applications), and
// measures the passes that bring it back to the tip; or, naive, the one
// pass of the naive loop that asks the node about every open record.
func benchCatchUp(b *testing.B, newDesk func(b *testing.B) *benchDesk, open, behind int, naive bool) {
	ctx := context.Background()
	var calls, passes int
	var took time.Duration
	for b.Loop() {
		b.StopTimer()
		d := newDesk(b)
		d.fill(b, open)
		_, err := d.w.Step(ctx)
		require.NoError(b, err)
		d.record(b, d.pay(b, changedPerBlock))
		d.mine(b, behind)
		c0 := d.calls()
		b.StartTimer()
		start := time.Now()
		if naive {
			_, err := naivePass(ctx, d.store, d.w.Chain, d.w.Network)
			require.NoError(b, err)
			passes++
		} else {
			for caughtUp := false; !caughtUp; passes++ {
				rep, err := d.w.Step(ctx)
				require.NoError(b, err)
				caughtUp = rep.Tip == rep.Head
			}
		}
		took += time.Since(start)
		b.StopTimer()
		calls += d.calls() - c0
		b.StartTimer()
	}
	n := float64(b.N)
	b.ReportMetric(took.Seconds()*1e3/n, "ms/catch-up")
	b.ReportMetric(float64(calls)/n, "calls/catch-up")
	b.ReportMetric(float64(passes)/n, "passes/catch-up")
}

// openSizes are the open-set sizes benchmarked; -short keeps the smallest.
func openSizes() []int {
	if testing.Short() {
		return []int{100}
	}
	return []int{100, 1_000, 10_000}
}

// catchUp is how far behind the catch-up benchmarks start, and over how
// many open records; -short makes it small.
func catchUp() (open, behind int) {
	if testing.Short() {
		return 100, 20
	}
	return 10_000, 500
}

func fakeBenchDesk(b *testing.B) *benchDesk {
	d := newDesk(b)
	paid := 0
	return &benchDesk{store: d.store, w: d.w, calls: d.chain.totalCalls, src: src, dst: dst, amount: big.NewInt(1_500_000),
		pay: func(_ testing.TB, n int) []string {
			ids := make([]string, n)
			for i := range ids {
				paid++
				ids[i] = fmt.Sprintf("%064x", 0xfa000000+paid)
				d.chain.broadcast(&core.ChainTx{TxID: ids[i], Sources: []string{src}, Spends: []string{"f00d:" + ids[i]},
					Transfers: []core.ChainTransfer{{Index: 0, To: dst, Amount: big.NewInt(1_500_000)}}})
			}
			return ids
		},
		mine: func(_ testing.TB, n int) { d.chain.mine(n) },
	}
}

func btcBenchDesk(b *testing.B) *benchDesk {
	d, node, to := btcDesk(b)
	chain := d.w.Chain.(*bitcoin.Chain)
	return &benchDesk{store: d.store, w: d.w, calls: func() int { return int(chain.Calls()) }, trips: func() int { return int(chain.Trips()) },
		src: d.source, dst: d.deposit, amount: big.NewInt(1_500_000),
		pay: func(tb testing.TB, n int) []string {
			ids := make([]string, n)
			for i := range ids {
				ids[i] = node.Send(tb, to, 1_500_000)
			}
			return ids
		},
		mine: func(tb testing.TB, n int) { node.Generate(tb, uint32(n)) },
		// A payment spends a whole coinbase, and a fresh node has about
		// 430: a run of 40 blocks paying 10 would spend them all.
		refill: func(tb testing.TB, n int) bool {
			if node.Spendable(tb) >= 2*n {
				return false
			}
			node.Generate(tb, 100)
			return true
		},
	}
}

func gethBenchDesk(b *testing.B) *benchDesk {
	node := ethtest.Geth(b)
	customer := node.NewAccount(ethtest.Gwei(100_000_000_000)) // 100 ETH
	d := ethDesk(b, node.Client, "dev", &core.Asset{Symbol: "ETH", Decimals: 18}, customer)
	chain := d.w.Chain.(*ethereum.Chain)
	to := common.HexToAddress(d.deposit)
	wei := ethtest.Gwei(1_000_000) // 0.001 ETH
	return &benchDesk{store: d.store, w: d.w, calls: func() int { return int(chain.Calls()) }, src: d.source, dst: d.deposit,
		amount: wei,
		pay: func(tb testing.TB, n int) []string {
			// Nonces are counted here: asking geth for the pending nonce
			// right after a send can return the same one again.
			next, err := node.Client.PendingNonceAt(context.Background(), customer.Address)
			require.NoError(tb, err)
			txs := make([]*types.Transaction, n)
			for i := range txs {
				nonce := next + uint64(i)
				txs[i] = node.Send(customer, ethtest.Tx{To: &to, Value: wei, Gas: 21_000, Nonce: &nonce})
			}
			ids := make([]string, n)
			for i, tx := range txs {
				node.MustSucceed(tx) // geth mines by the clock: wait until every payment is in a block
				ids[i] = tx.Hash().Hex()
			}
			return ids
		},
		mine: func(testing.TB, int) {},
	}
}

// BenchmarkPassPerBlock: a new block paying 10 new applications, with
// 100, 1,000 and 10,000 others open, on the in-memory chain, on btcd
// regtest and on geth --dev, for the watcher and the naive loop.
func BenchmarkPassPerBlock(b *testing.B) {
	chains := []struct {
		name string
		desk func(*testing.B) *benchDesk
	}{{"fake", fakeBenchDesk}, {"btcd", btcBenchDesk}, {"geth", gethBenchDesk}}
	for _, c := range chains {
		for _, open := range openSizes() {
			for _, naive := range []bool{false, true} {
				who := "watcher"
				if naive {
					who = "naive"
				}
				b.Run(fmt.Sprintf("%s/open=%d/%s", c.name, open, who), func(b *testing.B) {
					benchPerBlock(b, c.desk(b), open, naive)
				})
			}
		}
	}
}

// BenchmarkCatchUp: the watcher 500 blocks behind with 10,000 open, and
// the naive loop's one pass over the same.
func BenchmarkCatchUp(b *testing.B) {
	open, behind := catchUp()
	for _, c := range []struct {
		name string
		desk func(*testing.B) *benchDesk
	}{{"fake", fakeBenchDesk}, {"btcd", btcBenchDesk}} {
		for _, naive := range []bool{false, true} {
			who := "watcher"
			if naive {
				who = "naive"
			}
			b.Run(fmt.Sprintf("%s/open=%d/behind=%d/%s", c.name, open, behind, who), func(b *testing.B) {
				benchCatchUp(b, c.desk, open, behind, naive)
			})
		}
	}
}
