package storetest

import (
	"context"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

func runDeposits(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	t.Run("CreatesRecordWithDailyRecordNumbers", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		a := f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 0))
		b := f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 1))
		next := f.MustCreateDeposit(t, f.Deposit(f.ETH, f.Customer, 24*60))
		require.Equal(t, "D20261125-000001", a.RecordNo)
		require.Equal(t, "D20261125-000002", b.RecordNo)
		require.Equal(t, "D20261126-000001", next.RecordNo, "numbering restarts each UTC day")
		require.Equal(t, core.StatusVerifying, a.Status)
		require.Equal(t, "BTC", a.AssetSymbol)
		require.Equal(t, 8, a.Decimals)
		require.Equal(t, 1, CountAudit(t, f.Store, "deposit.create", a.RecordNo), "creation audited under the new record no")
	})
	t.Run("RoundTripsEveryField", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		d := f.Deposit(f.ETH, f.Customer, 3)
		d.Amount, _ = new(big.Int).SetString("115792089237316195423570985008687907853269984665640564039457584007913129639935", 10)
		d.TxIndex = 7
		d.RequestedAt = T0.Add(-time.Second + 1*time.Microsecond)
		got := f.MustCreateDeposit(t, d)
		require.Equal(t, 0, d.Amount.Cmp(got.Amount))
		require.Equal(t, d.RequestedAt, got.RequestedAt, "microsecond precision")
		require.Equal(t, d.CreatedAt, got.CreatedAt)
		require.Equal(t, d.TxID, got.TxID)
		require.Equal(t, 7, got.TxIndex)
		require.Equal(t, d.SourceAddress, got.SourceAddress)
		require.Equal(t, d.DestinationAddress, got.DestinationAddress)
		require.Equal(t, d.ClientRequestKey, got.ClientRequestKey)
		require.Equal(t, d.RequestHash, got.RequestHash)
		require.Equal(t, f.Customer.SecuritiesAccount, got.SecuritiesAccount)
		require.Equal(t, 3, got.ConfirmationsRequired)
	})
	t.Run("SameRequestKeyReturnsExistingRecord", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		first := f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 0))
		again := f.Deposit(f.BTC, f.Customer, 5)
		again.ClientRequestKey = first.ClientRequestKey
		got, created, err := f.Store.CreateDeposit(ctx, again, audit("deposit.create", "deposit", "", T0))
		require.NoError(t, err)
		require.False(t, created)
		require.Equal(t, first.RecordNo, got.RecordNo)
		require.Equal(t, first.RequestHash, got.RequestHash, "caller compares hashes to refuse another body")
		page, _ := f.Store.FindDeposits(ctx, core.DepositFilter{Limit: 10})
		require.Len(t, page.Records, 1)
	})
	t.Run("SameLiveTransactionReturnsExistingRecord", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		first := f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 0))
		dup := f.Deposit(f.BTC, f.Customer, 1)
		dup.TxID, dup.ClientRequestKey = first.TxID, ""
		got, created, err := f.Store.CreateDeposit(ctx, dup, audit("deposit.create", "deposit", "", T0))
		require.NoError(t, err)
		require.False(t, created)
		require.Equal(t, first.ID, got.ID)

		otherOutput := f.Deposit(f.BTC, f.Customer, 2)
		otherOutput.TxID, otherOutput.TxIndex = first.TxID, 1
		f.MustCreateDeposit(t, otherOutput) // another output of the same tx is another deposit
	})
	t.Run("DeletedApplicationDoesNotBlockResubmission", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		first := f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 0))
		f.MustTransition(t, first, core.StatusDeleted)
		again := f.Deposit(f.BTC, f.Customer, 1)
		again.TxID = first.TxID
		second := f.MustCreateDeposit(t, again)
		require.NotEqual(t, first.RecordNo, second.RecordNo)
	})
	t.Run("BulkInsertThenCreateNeverCollides", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		var recs []*core.DepositRecord
		for i := range 1203 { // more than one bulk statement, not a multiple of it
			d := f.Deposit(f.BTC, f.Customer, i%5)
			d.RecordNo = core.FormatRecordNo(d.CreatedAt, int64(i+1))
			d.Status = core.AllDepositStatuses()[i%len(core.AllDepositStatuses())]
			recs = append(recs, d)
		}
		n, err := f.Store.BulkInsertDeposits(ctx, slices.Values(recs), audit("deposit.seed", "deposit", "1203 records", T0))
		require.NoError(t, err)
		require.Equal(t, 1203, n)
		next := f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 0))
		require.Equal(t, "D20261125-001204", next.RecordNo)
		page, err := f.Store.FindDeposits(ctx, core.DepositFilter{Status: ptr(core.StatusCredited), Limit: 1000})
		require.NoError(t, err)
		require.Len(t, page.Records, 1203/9+1)
		require.Equal(t, 5, MustVerifyChain(t, f.Store), "assets, customer, one seed row, one create")
	})
}
