package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

func runSearch(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	// 60 records over two customers, two assets and several statuses, one
	// minute apart, with a few sharing a created time to exercise the id
	// tiebreak of the cursor.
	setup := func(t *testing.T) (*Fixture, []*core.DepositRecord, *core.Customer) {
		f := NewFixture(t, newStore)
		other := MustCreateCustomer(t, f.Store, "C20002", "SA-30002")
		var all []*core.DepositRecord
		for i := range 60 {
			c, a := f.Customer, f.BTC
			if i%3 == 0 {
				c = other
			}
			if i%2 == 0 {
				a = f.ETH
			}
			minute := i
			if i%10 == 9 {
				minute = i - 1 // same created time as the previous record
			}
			rec := f.MustCreateDeposit(t, f.Deposit(a, c, minute))
			switch i % 4 {
			case 1:
				rec = f.MustTransition(t, rec, PathTo(core.StatusCredited)...)
			case 2:
				rec = f.MustTransition(t, rec, core.StatusCancelled)
			}
			all = append(all, rec)
		}
		return f, all, other
	}
	expect := func(all []*core.DepositRecord, keep func(*core.DepositRecord) bool) []string {
		var out []string
		for i := len(all) - 1; i >= 0; i-- { // newest first; equal times by id desc
			if keep(all[i]) {
				out = append(out, all[i].RecordNo)
			}
		}
		return out
	}
	recordNos := func(recs []*core.DepositRecord) []string {
		var out []string
		for _, r := range recs {
			out = append(out, r.RecordNo)
		}
		return out
	}

	t.Run("FiltersByEveryConditionAndCombination", func(t *testing.T) {
		t.Parallel()
		f, all, other := setup(t)
		credited := core.StatusCredited
		from, to := T0.Add(10*time.Minute), T0.Add(40*time.Minute)
		bareTx := strings.TrimPrefix(all[4].TxID, "0x")
		cases := []struct {
			name   string
			filter core.DepositFilter
			keep   func(*core.DepositRecord) bool
		}{
			{"RecordNo", core.DepositFilter{RecordNo: &all[7].RecordNo}, func(d *core.DepositRecord) bool { return d.ID == all[7].ID }},
			{"CustomerNo", core.DepositFilter{CustomerNo: &other.CustomerNo}, func(d *core.DepositRecord) bool { return d.CustomerNo == other.CustomerNo }},
			{"SecuritiesAccount", core.DepositFilter{SecuritiesAccount: &other.SecuritiesAccount}, func(d *core.DepositRecord) bool { return d.CustomerNo == other.CustomerNo }},
			{"Status", core.DepositFilter{Status: &credited}, func(d *core.DepositRecord) bool { return d.Status == credited }},
			{"Asset", core.DepositFilter{AssetID: &f.ETH.ID}, func(d *core.DepositRecord) bool { return d.AssetID == f.ETH.ID }},
			{"EthereumTxIDWithoutPrefix", core.DepositFilter{TxID: &bareTx}, func(d *core.DepositRecord) bool { return d.ID == all[4].ID }},
			{"BitcoinTxID", core.DepositFilter{TxID: &all[5].TxID}, func(d *core.DepositRecord) bool { return d.ID == all[5].ID }},
			{"ID", core.DepositFilter{ID: &all[11].ID}, func(d *core.DepositRecord) bool { return d.ID == all[11].ID }},
			{"CreatedFromOnly", core.DepositFilter{CreatedFrom: &to}, func(d *core.DepositRecord) bool { return !d.CreatedAt.Before(to) }},
			{"CreatedToOnly", core.DepositFilter{CreatedTo: &from}, func(d *core.DepositRecord) bool { return d.CreatedAt.Before(from) }},
			{"StatusAndAsset", core.DepositFilter{Status: &credited, AssetID: &f.BTC.ID}, func(d *core.DepositRecord) bool {
				return d.Status == credited && d.AssetID == f.BTC.ID
			}},
			{"AccountStatusAndRange", core.DepositFilter{SecuritiesAccount: &f.Customer.SecuritiesAccount, Status: &credited, CreatedFrom: &from, CreatedTo: &to},
				func(d *core.DepositRecord) bool {
					return d.CustomerNo == f.Customer.CustomerNo && d.Status == credited && !d.CreatedAt.Before(from) && d.CreatedAt.Before(to)
				}},
			{"CustomerAndAccount", core.DepositFilter{CustomerNo: &other.CustomerNo, SecuritiesAccount: &other.SecuritiesAccount},
				func(d *core.DepositRecord) bool { return d.CustomerNo == other.CustomerNo }},
			{"RecordNoAndStatus", core.DepositFilter{RecordNo: &all[1].RecordNo, Status: &credited}, func(d *core.DepositRecord) bool { return d.ID == all[1].ID }},
			{"CreatedRange", core.DepositFilter{CreatedFrom: &from, CreatedTo: &to}, func(d *core.DepositRecord) bool {
				return !d.CreatedAt.Before(from) && d.CreatedAt.Before(to)
			}},
			{"StatusAssetCustomerAndRange", core.DepositFilter{Status: &credited, AssetID: &f.BTC.ID, CustomerNo: &f.Customer.CustomerNo, CreatedFrom: &from, CreatedTo: &to},
				func(d *core.DepositRecord) bool {
					return d.Status == credited && d.AssetID == f.BTC.ID && d.CustomerNo == f.Customer.CustomerNo && !d.CreatedAt.Before(from) && d.CreatedAt.Before(to)
				}},
		}
		for _, c := range cases {
			c.filter.Limit = 1000
			page, err := f.Store.FindDeposits(ctx, c.filter)
			require.NoError(t, err, c.name)
			want := expect(all, c.keep)
			require.NotEmpty(t, want, c.name)
			require.Equal(t, want, recordNos(page.Records), c.name)
			require.Nil(t, page.Next, c.name)
		}
	})
	t.Run("KeysetPagingReturnsEveryRecordOnceInOrder", func(t *testing.T) {
		t.Parallel()
		f, all, _ := setup(t)
		for _, size := range []int{1, 7, 10, 59, 60} {
			var got []string
			var after *core.DepositCursor
			for {
				page, err := f.Store.FindDeposits(ctx, core.DepositFilter{Limit: size, After: after})
				require.NoError(t, err)
				require.LessOrEqual(t, len(page.Records), size)
				got = append(got, recordNos(page.Records)...)
				if page.Next == nil {
					break
				}
				c, err := core.ParseDepositCursor(page.Next.String())
				require.NoError(t, err)
				after = c
			}
			require.Equal(t, expect(all, func(*core.DepositRecord) bool { return true }), got, "page size %d", size)
		}
	})
	t.Run("NoMatchIsAnEmptyPage", func(t *testing.T) {
		t.Parallel()
		f, _, _ := setup(t)
		page, err := f.Store.FindDeposits(ctx, core.DepositFilter{CustomerNo: ptr("NOBODY"), Limit: 50})
		require.NoError(t, err)
		require.Empty(t, page.Records)
		require.Nil(t, page.Next)
	})
	t.Run("NoRecordMatchesContradictoryFilters", func(t *testing.T) {
		t.Parallel()
		f, all, other := setup(t)
		cancelled := core.StatusCancelled
		for name, filter := range map[string]core.DepositFilter{
			"RecordNoOfAnotherCustomer": {RecordNo: &all[1].RecordNo, CustomerNo: &other.CustomerNo},
			"CancelledRecordAsCredited": {RecordNo: &all[2].RecordNo, Status: ptr(core.StatusCredited)},
			"EmptyRange":                {CreatedFrom: &all[30].CreatedAt, CreatedTo: &all[30].CreatedAt},
			"UnknownTxID":               {TxID: ptr(strings.Repeat("0", 64))},
			"CancelledOfAssetWithNone":  {Status: &cancelled, AssetID: ptr(f.BTC.ID + f.ETH.ID + 1)},
		} {
			page, err := f.Store.FindDeposits(ctx, filter)
			require.NoError(t, err, name)
			require.Empty(t, page.Records, name)
			require.Nil(t, page.Next, name)
		}
	})
	t.Run("KeysetPagingUnderFiltersReturnsEveryMatchOnceInOrder", func(t *testing.T) {
		t.Parallel()
		f, all, _ := setup(t)
		from, to := T0.Add(5*time.Minute), T0.Add(55*time.Minute)
		for name, c := range map[string]struct {
			filter core.DepositFilter
			keep   func(*core.DepositRecord) bool
		}{
			"Customer": {core.DepositFilter{CustomerNo: &f.Customer.CustomerNo}, func(d *core.DepositRecord) bool { return d.CustomerNo == f.Customer.CustomerNo }},
			"AssetAndRange": {core.DepositFilter{AssetID: &f.BTC.ID, CreatedFrom: &from, CreatedTo: &to}, func(d *core.DepositRecord) bool {
				return d.AssetID == f.BTC.ID && !d.CreatedAt.Before(from) && d.CreatedAt.Before(to)
			}},
			"StatusVerifying": {core.DepositFilter{Status: ptr(core.StatusVerifying)}, func(d *core.DepositRecord) bool { return d.Status == core.StatusVerifying }},
		} {
			want := expect(all, c.keep)
			require.NotEmpty(t, want, name)
			var got []string
			filter := c.filter
			filter.Limit = 4
			for pages := 0; ; pages++ {
				require.Less(t, pages, len(want)+1, "%s: paging must end", name)
				page, err := f.Store.FindDeposits(ctx, filter)
				require.NoError(t, err, name)
				got = append(got, recordNos(page.Records)...)
				if page.Next == nil {
					break
				}
				filter.After = page.Next
			}
			require.Equal(t, want, got, name)
		}
	})
	t.Run("DefaultPageSizeApplies", func(t *testing.T) {
		t.Parallel()
		f, all, _ := setup(t)
		page, err := f.Store.FindDeposits(ctx, core.DepositFilter{})
		require.NoError(t, err)
		require.Len(t, page.Records, min(len(all), core.DefaultPageSize))
		require.NotNil(t, page.Next)
		last := page.Records[len(page.Records)-1]
		require.Equal(t, core.DepositCursor{Order: core.OrderCreated, At: last.CreatedAt, ID: last.ID}, *page.Next)
	})
}
