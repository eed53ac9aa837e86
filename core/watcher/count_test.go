package watcher_test

import (
	"context"
	"iter"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/watcher"
	"depositdesk/storage/storetest"
)

// openRecords stores n applications under verification with TXIDs the
// chain does not know yet, the way a busy desk looks between blocks.
func openRecords(tb testing.TB, store core.Store, n int, src, dst string) []*core.DepositRecord {
	tb.Helper()
	ctx := context.Background()
	cs, err := store.FindCustomers(ctx, core.CustomerFilter{})
	require.NoError(tb, err)
	as, err := store.FindAssets(ctx, core.AssetFilter{})
	require.NoError(tb, err)
	c, a := cs[0], as[0]
	day := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	recs := make([]*core.DepositRecord, n)
	for i := range recs {
		at := day.Add(time.Duration(i) * time.Second)
		recs[i] = &core.DepositRecord{RecordNo: core.FormatRecordNo(day, int64(i+1)), CustomerID: c.ID, CustomerNo: c.CustomerNo,
			SecuritiesAccount: c.SecuritiesAccount, AssetID: a.ID, AssetSymbol: a.Symbol, Chain: a.Chain, Network: a.Network,
			Decimals: a.Decimals, Amount: big.NewInt(1_500_000), SourceAddress: src, DestinationAddress: dst, TxID: txid(100_000 + i),
			RequestedAt: at, CreatedAt: at, UpdatedAt: at, Status: core.StatusVerifying, ConfirmationsRequired: a.ConfirmationsRequired}
	}
	seq := iter.Seq[*core.DepositRecord](func(yield func(*core.DepositRecord) bool) {
		for _, r := range recs {
			if !yield(r) {
				return
			}
		}
	})
	stored, err := store.BulkInsertDeposits(ctx, seq, storetest.SeedAudit(day))
	require.NoError(tb, err)
	require.Equal(tb, n, stored)
	return recs
}

// callsForABlock starts a watcher over 10,000 open records, then mines a
// block paying 10 of them and returns the node calls that pass made.
func callsForABlock(tb testing.TB, d *desk) (first, perBlock int) {
	const open, changed = 10_000, 10
	recs := openRecords(tb, d.store, open, src, dst)
	before := d.chain.totalCalls()
	if _, err := d.w.Step(context.Background()); err != nil {
		tb.Fatal(err)
	}
	first = d.chain.totalCalls() - before
	for _, r := range recs[:changed] {
		d.chain.broadcast(payment(r))
	}
	d.chain.mine(1)
	before = d.chain.totalCalls()
	rep, err := d.w.Step(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	if rep.Transitions != changed {
		tb.Fatalf("%d transitions, want %d", rep.Transitions, changed)
	}
	return first, d.chain.totalCalls() - before
}

func TestNodeCallsPerBlockFollowWhatChanged(t *testing.T) {
	d := newDesk(t)
	first, perBlock := callsForABlock(t, d)
	// Start-up looks every open record up once (head + tip block + 10,000).
	require.Equal(t, 2+10_000, first)
	// Then a block costs head + that block + one lookup per record it pays.
	require.Equal(t, 1+1+10, perBlock)
}

// addressReads counts the watcher's reads of verified addresses.
type addressReads struct {
	watcher.Store
	n int
}

func (s *addressReads) FindWalletAddresses(ctx context.Context, f core.WalletAddressFilter) ([]*core.WalletAddress, error) {
	s.n++
	return s.Store.FindWalletAddresses(ctx, f)
}

func TestAPassReadsACustomersVerifiedAddressesOnce(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	reads := &addressReads{Store: d.store}
	d.w.Store = reads
	recs := []*core.DepositRecord{d.submit(), d.submit(), d.submit()}
	for _, r := range recs {
		d.chain.broadcast(payment(r))
	}
	d.chain.mine(1)
	rep := d.step()
	require.Equal(t, len(recs), rep.Transitions)
	for _, r := range recs {
		require.Equal(t, core.StatusConfirming, d.record(r).Status)
	}
	require.Equal(t, 1, reads.n, "three payments of one customer in a block: one read of the customer's addresses")
}
