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
	t.Run("PrefixSearch", func(t *testing.T) {
		t.Parallel()
		runPrefixSearch(t, newStore)
	})
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
		d.Amount = new(big.Int).Set(MaxUint256)
		d.TxIndex = 7
		d.RequestedAt = T0.Add(-time.Second + time.Microsecond)
		d.Confirmations, d.BlockHash, d.BlockHeight, d.Remarks = 2, TxID(core.ChainEthereum, 99), 1_234_567, "Sent from exchange"
		d.SubmittedBy, d.Channel = "alice", core.ChannelPhone
		got := f.MustCreateDeposit(t, d)
		require.NotZero(t, got.ID)
		want := *d
		want.ID, want.RecordNo = got.ID, got.RecordNo
		require.Equal(t, &want, got, "every field, the 78-digit amount exactly, times to the microsecond")
	})
	t.Run("TimesInAnyZoneComeBackAsTheSameInstantInUTC", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		tokyo := time.FixedZone("JST", 9*60*60)
		d := f.Deposit(f.BTC, f.Customer, 0)
		d.RequestedAt = time.Date(2026, 11, 26, 8, 59, 59, 999_999_000, tokyo) // 2026-11-25 23:59:59.999999 UTC
		d.CreatedAt, d.UpdatedAt = d.RequestedAt, d.RequestedAt
		got := f.MustCreateDeposit(t, d)
		require.True(t, d.RequestedAt.Equal(got.RequestedAt))
		require.Equal(t, time.UTC, got.CreatedAt.Location())
		require.Equal(t, "D20261125-000001", got.RecordNo, "the record-number day is the UTC day")
	})
	t.Run("RecordNumbersAreUniqueAndSequentialPerDay", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		for i := 1; i <= 25; i++ {
			rec := f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, i))
			require.Equal(t, core.FormatRecordNo(T0, int64(i)), rec.RecordNo)
			require.NoError(t, core.ValidateRecordNo(rec.RecordNo))
		}
		prev := f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, -24*60))
		require.Equal(t, "D20261124-000001", prev.RecordNo, "an earlier day has its own sequence")
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
	t.Run("TellsWhetherACustomerHasARecordUnderAKeyPrefix", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		c2 := MustCreateCustomer(t, f.Store, "C20002", "SA-20002")
		keyed := func(c *core.Customer, key string, status core.DepositStatus) {
			d := f.Deposit(f.BTC, c, 0)
			d.ClientRequestKey = key
			f.MustTransition(t, f.MustCreateDeposit(t, d), PathTo(status)...)
		}
		keyed(f.Customer, "client-1:order-1", core.StatusCancelled)
		keyed(c2, "client-2:order-1", core.StatusVerifying)
		// Keys next to client-1:'s range in byte order, and one equal to
		// it ignoring case; none starts with client-1:.
		keyed(c2, "client-10:order-1", core.StatusVerifying)
		keyed(c2, "client-1;order-1", core.StatusVerifying)
		keyed(c2, "CLIENT-1:order-1", core.StatusVerifying)
		keyed(c2, "", core.StatusVerifying) // an operator's record without a key

		for _, c := range []struct {
			customerNo, prefix string
			want               bool
		}{
			{"C10001", "client-1:", true}, // in any status
			{"C10001", "client-2:", false},
			{"C20002", "client-2:", true},
			{"C20002", "client-1:", false},
			{"C20002", "client-10:", true},
			{"C99999", "client-1:", false}, // no such customer
		} {
			got, err := f.Store.CustomerHasKeyedDeposit(ctx, c.customerNo, c.prefix)
			require.NoError(t, err)
			require.Equal(t, c.want, got, "%s under %q", c.customerNo, c.prefix)
		}
		_, err := f.Store.CustomerHasKeyedDeposit(ctx, "C10001", "")
		require.Error(t, err, "an empty prefix would match every key")
	})
	t.Run("CancelledOrDeletedApplicationDoesNotBlockResubmission", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		for _, end := range []core.DepositStatus{core.StatusDeleted, core.StatusCancelled} {
			first := f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 0))
			f.MustTransition(t, first, end)
			again := f.Deposit(f.BTC, f.Customer, 1)
			again.TxID = first.TxID
			second := f.MustCreateDeposit(t, again)
			require.NotEqual(t, first.RecordNo, second.RecordNo)

			third := f.Deposit(f.BTC, f.Customer, 2)
			third.TxID = first.TxID
			got, created, err := f.Store.CreateDeposit(ctx, third, audit("deposit.create", "deposit", "", T0))
			require.NoError(t, err)
			require.False(t, created, "the resubmission is live again, so it is the one returned")
			require.Equal(t, second.ID, got.ID)
		}
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
		n, err := f.Store.BulkInsertDeposits(ctx, slices.Values(recs), SeedAudit(T0))
		require.NoError(t, err)
		require.Equal(t, 1203, n)
		next := f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 0))
		require.Equal(t, "D20261125-001204", next.RecordNo)
		page, err := f.Store.FindDeposits(ctx, core.DepositFilter{Status: ptr(core.StatusCredited), Limit: 1000})
		require.NoError(t, err)
		require.Len(t, page.Records, 1203/9+1)
		require.Equal(t, 4+1203, MustVerifyChain(t, f.Store), "assets, customer, one row per seeded record, one create")
		for _, recNo := range []string{"D20261125-000001", "D20261125-001203"} {
			require.Equal(t, 1, CountAudit(t, f.Store, "deposit.seed", recNo), "each seeded record has its own row")
		}
	})
	t.Run("BulkInsertRefusesDuplicatesAndStoresNothing", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		existing := f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 0))
		dupes := map[string]func(d *core.DepositRecord){
			"record number": func(d *core.DepositRecord) { d.RecordNo = existing.RecordNo },
			"request key":   func(d *core.DepositRecord) { d.ClientRequestKey = existing.ClientRequestKey },
			"live txid":     func(d *core.DepositRecord) { d.TxID = existing.TxID },
		}
		for name, spoil := range dupes {
			var recs []*core.DepositRecord
			for i := range 10 {
				d := f.Deposit(f.BTC, f.Customer, 24*60+i)
				d.RecordNo = core.FormatRecordNo(d.CreatedAt, int64(i+1))
				recs = append(recs, d)
			}
			spoil(recs[7])
			_, err := f.Store.BulkInsertDeposits(ctx, slices.Values(recs), SeedAudit(T0))
			requireCode(t, core.ECONFLICT, err)
			page, err := f.Store.FindDeposits(ctx, core.DepositFilter{Limit: 100})
			require.NoError(t, err)
			require.Len(t, page.Records, 1, "a refused %s stores none of the batch", name)
		}
		require.Equal(t, 4, MustVerifyChain(t, f.Store), "refused seeds are not audited")
		next := f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 24*60))
		require.Equal(t, "D20261126-000001", next.RecordNo, "a refused seed leaves the numbering alone")
	})
	t.Run("BulkInsertRefusesABadRecordLateInTheStreamAndStoresNothing", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		var recs []*core.DepositRecord
		for i := range 1203 {
			d := f.Deposit(f.BTC, f.Customer, i%5)
			d.RecordNo = core.FormatRecordNo(d.CreatedAt, int64(i+1))
			recs = append(recs, d)
		}
		// Past the first batches, so some were written (or are in flight)
		// when the bad one is drawn.
		recs[1100].RecordNo = "D20261125-X"
		_, err := f.Store.BulkInsertDeposits(ctx, slices.Values(recs), SeedAudit(T0))
		requireCode(t, core.EINVALID, err)
		page, err := f.Store.FindDeposits(ctx, core.DepositFilter{Limit: 10})
		require.NoError(t, err)
		require.Empty(t, page.Records)
		require.Equal(t, 3, MustVerifyChain(t, f.Store), "the fixture's rows only")
		require.Equal(t, "D20261125-000001", f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 0)).RecordNo)
	})
	t.Run("BulkInsertOfNothingWritesNothing", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		n, err := f.Store.BulkInsertDeposits(ctx, slices.Values([]*core.DepositRecord(nil)), SeedAudit(T0))
		require.NoError(t, err)
		require.Zero(t, n)
		require.Equal(t, 3, MustVerifyChain(t, f.Store), "the fixture's rows only")
		require.Equal(t, "D20261125-000001", f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 0)).RecordNo)
	})
}
