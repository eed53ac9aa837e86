package storetest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

// prefixWide is how many records the prefix fixture holds: more than an
// engine sorts for a narrow prefix (storage/sqlite's prefixSortMax), so a
// prefix of all of them is read in time order with the prefix as a
// filter, while smaller prefixes are merged value by value or sorted:
// every way storage/sqlite reads a prefix runs.
const prefixWide = 2400

// prefixFixture seeds prefixWide records over customers whose numbers
// and accounts nest (C100, C1001, C1009, C100Z…), twenty customers under
// one prefix (C3-00…C3-19), two days of record numbers, hashes at the
// ends of the hex range, three records per creation time and request
// times in another order than creation, with ties of their own; it
// returns every record as stored, newest created first.
func prefixFixture(t *testing.T, newStore NewStoreFunc) (*Fixture, []*core.DepositRecord) {
	ctx := context.Background()
	f := NewFixture(t, newStore)
	var customers []*core.Customer
	nos := []string{"C100", "C1001", "C1009", "C100Z", "C100Z9", "C101", "C10-7"}
	for i := range 20 { // more customers under one prefix than storage/sqlite merges
		nos = append(nos, fmt.Sprintf("C3-%02d", i))
	}
	for _, no := range append(nos, "C2") {
		customers = append(customers, MustCreateCustomer(t, f.Store, no, "SA-"+no[1:]))
	}
	var recs []*core.DepositRecord
	day := map[string]int64{}
	for i := range prefixWide {
		c := customers[i%len(customers)]
		if i%50 == 7 {
			c = customers[len(customers)-1] // C2: few records
		} else if c.CustomerNo == "C2" {
			c = customers[0]
		}
		a := f.BTC
		if i%2 == 1 {
			a = f.ETH
		}
		d := f.Deposit(a, c, i/3) // three records per creation time
		if i >= prefixWide-300 {
			d.CreatedAt = d.CreatedAt.Add(24 * time.Hour) // the next day's record numbers
		}
		d.RequestedAt = T0.Add(-time.Duration((i*7919)%(prefixWide/2)) * time.Minute) // two per request time, shuffled
		d.UpdatedAt = d.CreatedAt
		d.Status = core.AllDepositStatuses()[i%len(core.AllDepositStatuses())]
		key := core.RecordNoDay(d.CreatedAt)
		day[key]++
		d.RecordNo = core.FormatRecordNo(d.CreatedAt, day[key])
		recs = append(recs, d)
	}
	// Hashes at the ends of the hex range, and three sharing their first
	// eight digits on either chain, with tails that differ in one digit.
	recs[10].TxID = strings.Repeat("f", 64)
	recs[11].TxID = "0x" + strings.Repeat("f", 63) + "e"
	recs[12].TxID = strings.Repeat("0", 64)
	recs[13].TxID = "0x8dba1c2f" + strings.Repeat("1", 52) + "b1df"
	recs[14].TxID = "8dba1c2f" + strings.Repeat("2", 52) + "b1de"
	recs[16].TxID = "8dba1c2f" + strings.Repeat("3", 52) + "c1df"
	n, err := f.Store.BulkInsertDeposits(ctx, slices.Values(recs), SeedAudit(T0))
	require.NoError(t, err)
	require.Equal(t, prefixWide, n)
	var all []*core.DepositRecord
	filter := core.DepositFilter{Limit: core.MaxPageSize}
	for {
		page, err := f.Store.FindDeposits(ctx, filter)
		require.NoError(t, err)
		all = append(all, page.Records...)
		if page.Next == nil {
			break
		}
		filter.After = page.Next
	}
	require.Len(t, all, prefixWide)
	return f, all
}

// newestFirst returns the record numbers of recs that keep matches, in
// the order a search of order returns them.
func newestFirst(recs []*core.DepositRecord, order core.DepositOrder, keep func(*core.DepositRecord) bool) []string {
	var out []*core.DepositRecord
	for _, d := range recs {
		if keep(d) {
			out = append(out, d)
		}
	}
	at := func(d *core.DepositRecord) time.Time { return d.CreatedAt }
	if order.ByRequest() {
		at = func(d *core.DepositRecord) time.Time { return d.RequestedAt }
	}
	slices.SortFunc(out, func(a, b *core.DepositRecord) int {
		return cmp.Or(at(b).Compare(at(a)), cmp.Compare(b.ID, a.ID))
	})
	var nos []string
	for _, d := range out {
		nos = append(nos, d.RecordNo)
	}
	return nos
}

// shortened is a hash as the records table shows it (ui/records.go).
func shortened(txid string) string { return txid[:6] + "…" + txid[len(txid)-4:] }

func runPrefixSearch(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	f, all := prefixFixture(t, newStore)
	hex := func(d *core.DepositRecord) string { return strings.TrimPrefix(d.TxID, "0x") }
	byTx := func(tx string) *core.DepositRecord {
		i := slices.IndexFunc(all, func(d *core.DepositRecord) bool { return d.TxID == tx })
		require.GreaterOrEqual(t, i, 0, tx)
		return all[i]
	}
	ffff, eth8dba := byTx(strings.Repeat("f", 64)), byTx("0x8dba1c2f"+strings.Repeat("1", 52)+"b1df")
	credited := core.StatusCredited
	cases := []struct {
		name   string
		filter core.DepositFilter
		keep   func(*core.DepositRecord) bool
	}{
		{"WholeCustomerNumberAlsoFindsLongerOnes", core.DepositFilter{CustomerNo: ptr("C100")},
			func(d *core.DepositRecord) bool { return strings.HasPrefix(d.CustomerNo, "C100") }},
		{"CustomerNumberEndingInZ", core.DepositFilter{CustomerNo: ptr("c100z")},
			func(d *core.DepositRecord) bool { return strings.HasPrefix(d.CustomerNo, "C100Z") }},
		{"CustomerNumberEndingIn9", core.DepositFilter{CustomerNo: ptr("C1009")}, func(d *core.DepositRecord) bool { return d.CustomerNo == "C1009" }},
		{"CustomerPrefixOfManyWithDash", core.DepositFilter{CustomerNo: ptr("C10")},
			func(d *core.DepositRecord) bool { return strings.HasPrefix(d.CustomerNo, "C10") }},
		{"CustomerPrefixOfAll", core.DepositFilter{CustomerNo: ptr("C")}, func(*core.DepositRecord) bool { return true }},
		{"FewCustomerRecords", core.DepositFilter{CustomerNo: ptr("C2")}, func(d *core.DepositRecord) bool { return d.CustomerNo == "C2" }},
		{"ManyCustomers", core.DepositFilter{CustomerNo: ptr("C3")}, func(d *core.DepositRecord) bool { return strings.HasPrefix(d.CustomerNo, "C3") }},
		{"ManyCustomersAndStatus", core.DepositFilter{CustomerNo: ptr("C3-"), Status: &credited},
			func(d *core.DepositRecord) bool {
				return strings.HasPrefix(d.CustomerNo, "C3-") && d.Status == credited
			}},
		{"SomeOfManyCustomers", core.DepositFilter{CustomerNo: ptr("C3-1")}, func(d *core.DepositRecord) bool { return strings.HasPrefix(d.CustomerNo, "C3-1") }},
		{"ManyAccounts", core.DepositFilter{SecuritiesAccount: ptr("SA-3")}, func(d *core.DepositRecord) bool { return strings.HasPrefix(d.SecuritiesAccount, "SA-3") }},
		{"CustomerAndAccountPrefixes", core.DepositFilter{CustomerNo: ptr("C10"), SecuritiesAccount: ptr("SA-100")},
			func(d *core.DepositRecord) bool {
				return strings.HasPrefix(d.CustomerNo, "C10") && strings.HasPrefix(d.SecuritiesAccount, "SA-100")
			}},
		{"AccountEndingInZ", core.DepositFilter{SecuritiesAccount: ptr("sa-100z")},
			func(d *core.DepositRecord) bool { return strings.HasPrefix(d.SecuritiesAccount, "SA-100Z") }},
		{"AccountAndStatus", core.DepositFilter{SecuritiesAccount: ptr("SA-10"), Status: &credited},
			func(d *core.DepositRecord) bool {
				return strings.HasPrefix(d.SecuritiesAccount, "SA-10") && d.Status == credited
			}},
		{"RecordNumbersOfADay", core.DepositFilter{RecordNo: ptr("D20261126-")},
			func(d *core.DepositRecord) bool { return strings.HasPrefix(d.RecordNo, "D20261126-") }},
		{"RecordNumbersEndingIn9", core.DepositFilter{RecordNo: ptr("d20261125-00019")},
			func(d *core.DepositRecord) bool { return strings.HasPrefix(d.RecordNo, "D20261125-00019") }},
		{"WholeRecordNumber", core.DepositFilter{RecordNo: ptr("D20261125-000123")}, func(d *core.DepositRecord) bool { return d.RecordNo == "D20261125-000123" }},
		{"RecordNumbersOfBothDays", core.DepositFilter{RecordNo: ptr("D2026112"), CustomerNo: ptr("C1001")},
			func(d *core.DepositRecord) bool { return d.CustomerNo == "C1001" }},
		{"HashAtTheTopOfTheHexRange", core.DepositFilter{TxID: ptr("ffffffff")},
			func(d *core.DepositRecord) bool { return strings.HasPrefix(hex(d), "ffffffff") }},
		{"WholeHash", core.DepositFilter{TxID: ptr(strings.Repeat("f", 64))}, func(d *core.DepositRecord) bool { return d.ID == ffff.ID }},
		{"HashAtTheBottomOfTheHexRange", core.DepositFilter{TxID: ptr("0x00000000")},
			func(d *core.DepositRecord) bool { return strings.HasPrefix(hex(d), "00000000") }},
		{"HashOnEitherChain", core.DepositFilter{TxID: ptr("8DBA1C2F")}, func(d *core.DepositRecord) bool { return strings.HasPrefix(hex(d), "8dba1c2f") }},
		{"ShortenedEthereumHash", core.DepositFilter{TxID: ptr(shortened(eth8dba.TxID))},
			func(d *core.DepositRecord) bool {
				return strings.HasPrefix(hex(d), "8dba") && strings.HasSuffix(d.TxID, "b1df")
			}},
		{"ShortenedBitcoinHash", core.DepositFilter{TxID: ptr(shortened(strings.Repeat("f", 64)))},
			func(d *core.DepositRecord) bool {
				return strings.HasPrefix(hex(d), "ffffff") && strings.HasSuffix(d.TxID, "ffff")
			}},
		{"PrefixStatusAssetAndRange", core.DepositFilter{CustomerNo: ptr("C100"), Status: &credited, AssetID: &f.BTC.ID,
			CreatedFrom: ptr(T0.Add(100 * time.Minute)), CreatedTo: ptr(T0.Add(600 * time.Minute))},
			func(d *core.DepositRecord) bool {
				return strings.HasPrefix(d.CustomerNo, "C100") && d.Status == credited && d.AssetID == f.BTC.ID &&
					!d.CreatedAt.Before(T0.Add(100*time.Minute)) && d.CreatedAt.Before(T0.Add(600*time.Minute))
			}},
		{"RequestRange", core.DepositFilter{CustomerNo: ptr("C10"), RequestedFrom: ptr(T0.Add(-300 * time.Minute)), RequestedTo: ptr(T0.Add(-100 * time.Minute))},
			func(d *core.DepositRecord) bool {
				return strings.HasPrefix(d.CustomerNo, "C10") && !d.RequestedAt.Before(T0.Add(-300*time.Minute)) && d.RequestedAt.Before(T0.Add(-100*time.Minute))
			}},
		{"AllWithoutAFilter", core.DepositFilter{}, func(*core.DepositRecord) bool { return true }},
		{"NoMatch", core.DepositFilter{CustomerNo: ptr("C4")}, func(*core.DepositRecord) bool { return false }},
	}
	t.Run("AShortenedHashIsOneRecord", func(t *testing.T) {
		t.Parallel()
		// The tail tells apart the hashes the head shares.
		filter := core.DepositFilter{Prefix: true, TxID: ptr(shortened(eth8dba.TxID))}
		require.NoError(t, filter.Validate())
		page, err := f.Store.FindDeposits(ctx, filter)
		require.NoError(t, err)
		require.Len(t, page.Records, 1)
		require.Equal(t, eth8dba.ID, page.Records[0].ID)
	})
	for _, c := range cases {
		for _, order := range []core.DepositOrder{core.OrderCreated, core.OrderRequested} {
			t.Run(c.name+"/"+string(order), func(t *testing.T) {
				t.Parallel()
				want := newestFirst(all, order, c.keep)
				filter := c.filter
				filter.Prefix, filter.Order = true, order
				// Page sizes that split the ties of both times, and one
				// page holding all.
				for _, size := range []int{max(1, len(want)/3+1), core.MaxPageSize} {
					filter.Limit, filter.After = size, nil
					require.NoError(t, filter.Validate())
					var got []string
					for pages := 0; ; pages++ {
						require.LessOrEqual(t, pages, len(want)/size+1, "paging ends")
						page, err := f.Store.FindDeposits(ctx, filter)
						require.NoError(t, err)
						require.LessOrEqual(t, len(page.Records), size)
						for _, d := range page.Records {
							got = append(got, d.RecordNo)
						}
						if page.Next == nil {
							break
						}
						next, err := core.ParseDepositCursor(page.Next.String())
						require.NoError(t, err)
						filter.After = next
					}
					require.Equal(t, want, got, "page size %d", size)
				}
				filter.After = nil
				n, more, err := f.Store.CountDeposits(ctx, filter, core.DepositCountCap)
				require.NoError(t, err)
				require.Equal(t, fmt.Sprint(len(want), false), fmt.Sprint(n, more), "exact below the cap")
			})
		}
	}
	t.Run("CountStopsAtItsCap", func(t *testing.T) {
		t.Parallel()
		for _, c := range cases {
			filter := c.filter
			filter.Prefix = true
			require.NoError(t, filter.Validate())
			want := len(newestFirst(all, core.OrderCreated, c.keep))
			for _, limit := range []int{want - 1, want, 10} {
				if limit < 0 {
					continue
				}
				n, more, err := f.Store.CountDeposits(ctx, filter, limit)
				require.NoError(t, err)
				require.Equal(t, fmt.Sprint(min(want, limit), want > limit), fmt.Sprint(n, more), "%s, cap %d", c.name, limit)
			}
		}
	})
	t.Run("CountIgnoresTheCursor", func(t *testing.T) {
		t.Parallel()
		filter := core.DepositFilter{Prefix: true, CustomerNo: ptr("C1001"), Limit: 5}
		page, err := f.Store.FindDeposits(ctx, filter)
		require.NoError(t, err)
		filter.After = page.Next
		n, more, err := f.Store.CountDeposits(ctx, filter, core.DepositCountCap)
		require.NoError(t, err)
		require.Equal(t, len(newestFirst(all, core.OrderCreated, func(d *core.DepositRecord) bool { return d.CustomerNo == "C1001" })), n)
		require.False(t, more)
	})
	t.Run("ExactFiltersStayExact", func(t *testing.T) {
		t.Parallel()
		for name, c := range map[string]struct {
			filter core.DepositFilter
			keep   func(*core.DepositRecord) bool
		}{
			"Customer": {core.DepositFilter{CustomerNo: ptr("C100")}, func(d *core.DepositRecord) bool { return d.CustomerNo == "C100" }},
			"Account":  {core.DepositFilter{SecuritiesAccount: ptr("SA-100Z")}, func(d *core.DepositRecord) bool { return d.SecuritiesAccount == "SA-100Z" }},
			"Hash":     {core.DepositFilter{TxID: &ffff.TxID}, func(d *core.DepositRecord) bool { return d.ID == ffff.ID }},
		} {
			for _, order := range []core.DepositOrder{core.OrderCreated, core.OrderRequested} {
				filter := c.filter
				filter.Order, filter.Limit = order, core.MaxPageSize
				require.NoError(t, filter.Validate())
				page, err := f.Store.FindDeposits(ctx, filter)
				require.NoError(t, err)
				var got []string
				for _, d := range page.Records {
					got = append(got, d.RecordNo)
				}
				want := newestFirst(all, order, c.keep)
				require.NotEmpty(t, want)
				require.Equal(t, want, got, "%s by %s", name, order)
			}
		}
	})
}
