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
}
