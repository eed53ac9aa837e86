package sqlite

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/storage/storetest"
)

// explain returns SQLite's plan for the search f read as pl says, one step
// per line.
func explain(ctx context.Context, q queryer, f core.DepositFilter, pl plan) (string, error) {
	query, args := searchSQL(f, pl, f.Limit+1)
	return explainQuery(ctx, q, query, args...)
}

// explainQuery returns SQLite's plan for query, one step per line.
func explainQuery(ctx context.Context, q queryer, query string, args ...any) (string, error) {
	rows, err := q.QueryContext(ctx, `EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			return "", err
		}
		steps = append(steps, detail)
	}
	return strings.Join(steps, "\n"), rows.Err()
}

// TestEverySearchReadsAnIndexInOrder checks the plan of every combination of
// the search filters, with and without either time range and a cursor, in
// both orders, matching whole values and prefixes (merged, sorted and
// wide): deposits are searched through an index (never scanned), and no
// temporary B-tree sorts them, so a page costs the same at 1M rows as at
// 10. A prefix of few values is read value by value, each in order, and
// merged. Two searches sort, each a bounded number of rows: a whole hash
// in request order (the handful of records of one transaction) and a
// narrow prefix, read as the range of its own index (at most
// prefixSortMax rows, which searchPlan counts first); a wide prefix is
// read in time order like any other search. The plan depends on the
// schema and the query only (the index is named), which is why an empty
// table proves it.
func TestEverySearchReadsAnIndexInOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir()+"/plan.db")
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })

	id, no, cust, acct, status, asset, tx, tail := int64(1), "D20261125-000001", "C100001", "SA-100001", core.StatusCredited, int64(1), strings.Repeat("ab", 32), "b1df"
	from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	setters := []func(*core.DepositFilter){
		func(f *core.DepositFilter) { f.ID = &id },
		func(f *core.DepositFilter) { f.RecordNo = &no },
		func(f *core.DepositFilter) { f.CustomerNo = &cust },
		func(f *core.DepositFilter) { f.SecuritiesAccount = &acct },
		func(f *core.DepositFilter) { f.Status = &status },
		func(f *core.DepositFilter) { f.AssetID = &asset },
		func(f *core.DepositFilter) {
			f.TxID = &tx
			if f.Prefix {
				f.TxIDTail = &tail
			}
		},
		func(f *core.DepositFilter) { f.CreatedFrom, f.CreatedTo = &from, &to },
		func(f *core.DepositFilter) { f.RequestedFrom, f.RequestedTo = &from, &to },
		func(f *core.DepositFilter) {
			f.After = &core.DepositCursor{Order: f.Order, At: to.Add(-time.Hour), ID: 77}
		},
	}
	type variant struct {
		prefix, wide, merge bool
		order               core.DepositOrder
	}
	var variants []variant
	for _, order := range []core.DepositOrder{core.OrderCreated, core.OrderRequested} {
		variants = append(variants, variant{false, false, false, order}, variant{true, false, false, order},
			variant{true, true, false, order}, variant{true, false, true, order})
	}
	for _, v := range variants {
		for mask := range 1 << len(setters) {
			f := core.DepositFilter{Limit: core.DefaultPageSize, Prefix: v.prefix, Order: v.order}
			for i, set := range setters {
				if mask&(1<<i) != 0 {
					set(&f)
				}
			}
			pl := choosePlan(f, v.wide)
			if p := prefixOf(f); v.merge && p != nil && p.mergeable && f.ID == nil {
				pl = plan{index: p.index, merge: []string{"C1", "C2", "C3"}}
			}
			plan, err := explain(ctx, s.read, f, pl)
			require.NoError(t, err)
			what := fmt.Sprintf("filter set %010b, %+v, %+v", mask, v, pl)
			first := strings.SplitN(plan, "\n", 2)[0]
			require.Contains(t, plan, "SEARCH a USING INTEGER PRIMARY KEY", "asset joined by key:\n%s", plan)
			switch p := prefixOf(f); {
			case pl.merge != nil:
				// Each value's rows in order from the prefix's index, merged.
				require.Contains(t, plan, "MERGE (UNION ALL)", "%s merges:\n%s", what, plan)
				require.NotContains(t, plan, "TEMP B-TREE", "%s sorts instead of merging:\n%s", what, plan)
				col := strings.TrimPrefix(p.expr, "d.")
				arms := regexp.MustCompile(`SEARCH d USING (COVERING )?INDEX `+p.index+` \(`+col+`=\?`).FindAllStringSubmatch(plan, -1)
				require.Len(t, arms, len(pl.merge), "%s reads each value from its index:\n%s", what, plan)
				// The customer indexes hold every column the arms filter
				// on but the account and the hash, so those arms read the
				// index alone (decision 61).
				if strings.HasPrefix(p.index, "deposits_customer") && f.SecuritiesAccount == nil && f.TxID == nil {
					for _, a := range arms {
						require.NotEmpty(t, a[1], "%s reads rows to merge:\n%s", what, plan)
					}
				}
				// The page's rows are read by id once merged.
				require.Equal(t, 1, strings.Count(plan, "SEARCH d USING INTEGER PRIMARY KEY (rowid=?)"), "%s reads the page by id:\n%s", what, plan)
			case pl.sorted:
				// Sorted, but only the prefix's own range, whose both bounds
				// are the index's; the page's rows are then read by id.
				require.NotNil(t, p)
				col := strings.TrimPrefix(p.expr, "d.")
				if p.index == "deposits_txid" {
					col = "<expr>"
				}
				require.Regexp(t, `SEARCH d USING (COVERING )?INDEX `+p.index+` \(`+regexp.QuoteMeta(col+">? AND "+col+"<?"), plan, "%s reads its prefix's range:\n%s", what, plan)
				require.Equal(t, "SEARCH d USING INTEGER PRIMARY KEY (rowid=?)", first, "%s reads the page by id:\n%s", what, plan)
			case f.TxID != nil && !f.Prefix && f.ID == nil && f.RecordNo == nil && v.order.ByRequest():
				require.True(t, strings.HasPrefix(first, "SEARCH d USING INDEX deposits_txid (<expr>=?"), "%s sorts one hash's records:\n%s", what, plan)
			default:
				require.True(t, strings.HasPrefix(first, "SEARCH d USING") || first == "SCAN d USING INDEX "+pl.index,
					"%s does not search deposits through an index:\n%s", what, plan)
				require.NotContains(t, plan, "TEMP B-TREE", "%s sorts instead of reading in order:\n%s", what, plan)
			}
		}
	}
}

// TestPrefixPlanFollowsItsValuesAndRows checks how searchPlan reads a
// prefix: merged when it has at most mergeMax values, sorted when its
// range holds at most prefixSortMax rows, otherwise in time order.
func TestPrefixPlanFollowsItsValuesAndRows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := storetest.NewFixture(t, func(t *testing.T) core.Store {
		s, err := Open(ctx, t.TempDir()+"/wide.db")
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		return s
	})
	s := f.Store.(*Store)
	// C10001: ten records; C2000…C2019: 2,001 records; C3000…C3016: one each.
	owners := slices.Repeat([]*core.Customer{f.Customer}, 10)
	var many []*core.Customer
	for i := range mergeMax + 4 {
		many = append(many, storetest.MustCreateCustomer(t, s, fmt.Sprintf("C2%03d", i), fmt.Sprintf("SA-2%03d", i)))
	}
	for i := range prefixSortMax + 1 {
		owners = append(owners, many[i%len(many)])
	}
	for i := range mergeMax + 1 {
		owners = append(owners, storetest.MustCreateCustomer(t, s, fmt.Sprintf("C3%03d", i), fmt.Sprintf("SA-3%03d", i)))
	}
	var recs []*core.DepositRecord
	for i, c := range owners {
		d := f.Deposit(f.BTC, c, i)
		d.RecordNo = core.FormatRecordNo(d.CreatedAt, int64(i+1))
		recs = append(recs, d)
	}
	_, err := s.BulkInsertDeposits(ctx, slices.Values(recs), storetest.SeedAudit(storetest.T0))
	require.NoError(t, err)
	credited := core.StatusCredited
	for _, c := range []struct {
		filter core.DepositFilter
		want   plan
	}{
		{core.DepositFilter{CustomerNo: ptr("C1")}, plan{index: "deposits_customer", merge: []string{"C10001"}}},
		{core.DepositFilter{CustomerNo: ptr("C200"), Order: core.OrderRequested}, plan{index: "deposits_customer_requested",
			merge: []string{"C2000", "C2001", "C2002", "C2003", "C2004", "C2005", "C2006", "C2007", "C2008", "C2009"}}},
		{core.DepositFilter{CustomerNo: ptr("C2")}, plan{index: "deposits_created"}},
		{core.DepositFilter{CustomerNo: ptr("C"), Order: core.OrderRequested}, plan{index: "deposits_requested"}},
		{core.DepositFilter{CustomerNo: ptr("C"), Status: &credited}, plan{index: "deposits_status"}},
		{core.DepositFilter{CustomerNo: ptr("C3")}, plan{index: "deposits_customer", sorted: true}},
		{core.DepositFilter{SecuritiesAccount: ptr("SA-3"), Order: core.OrderRequested}, plan{index: "deposits_account_requested", sorted: true}},
		{core.DepositFilter{RecordNo: ptr("D20261125-00100")}, plan{index: "deposits_record_no", sorted: true}},
		{core.DepositFilter{RecordNo: ptr("D2026"), AssetID: &f.BTC.ID, Order: core.OrderRequested}, plan{index: "deposits_asset_requested"}},
		{core.DepositFilter{RecordNo: ptr("D2026"), Status: &credited, AssetID: &f.BTC.ID}, plan{index: "deposits_status_asset"}},
	} {
		c.filter.Prefix = true
		got, err := searchPlan(ctx, s.read, c.filter)
		require.NoError(t, err)
		require.Equal(t, c.want, got, "%+v", c.filter)
	}
}

// TestCountReadsTheNarrowerRange checks which index a count reads: a
// prefix alone is counted in its range, a prefix with a status in
// whichever of the two ranges is narrower.
func TestCountReadsTheNarrowerRange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := storetest.NewFixture(t, func(t *testing.T) core.Store {
		s, err := Open(ctx, t.TempDir()+"/count.db")
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		return s
	})
	s := f.Store.(*Store)
	other := storetest.MustCreateCustomer(t, s, "C20002", "SA-20002")
	var recs []*core.DepositRecord
	for i := range 300 {
		c := f.Customer
		if i%100 == 0 {
			c = other
		}
		d := f.Deposit(f.BTC, c, i)
		d.RecordNo = core.FormatRecordNo(d.CreatedAt, int64(i+1))
		if i%10 == 0 {
			d.Status = core.StatusHeld
		}
		recs = append(recs, d)
	}
	_, err := s.BulkInsertDeposits(ctx, slices.Values(recs), storetest.SeedAudit(storetest.T0))
	require.NoError(t, err)
	held := core.StatusHeld
	for want, filter := range map[string]core.DepositFilter{
		"deposits_customer": {CustomerNo: ptr("C1")},
		"deposits_status":   {CustomerNo: ptr("C1"), Status: &held},              // 30 held, 297 of C10001
		"deposits_account":  {SecuritiesAccount: ptr("SA-20002"), Status: &held}, // 3 records
	} {
		filter.Prefix = true
		got, _, err := countIndex(ctx, s.read, filter, core.DepositCountCap)
		require.NoError(t, err)
		require.Equal(t, want, got, "%+v", filter)
	}
	// The status's range is counted only up to one past the prefix's 3.
	_, probes, err := countIndex(ctx, s.read, core.DepositFilter{CustomerNo: ptr("C2"), Status: &held, Prefix: true}, core.DepositCountCap)
	require.NoError(t, err)
	require.Len(t, probes, 2)
	require.Equal(t, core.DepositCountCap+1, probes[0].Args[len(probes[0].Args)-1])
	require.Equal(t, 4, probes[1].Args[len(probes[1].Args)-1])
}

func ptr[T any](v T) *T { return &v }

// TestCustomerKeyProbeSearchesOneIndexRange checks that whether a client
// has a record for a customer is one bounded search of the index (customer
// number and key range), never a scan of the customer's records.
func TestCustomerKeyProbeSearchesOneIndexRange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir()+"/plan.db")
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	plan, err := explainQuery(ctx, s.read, customerKeyQuery, "C10001", "client-1:", "client-1;")
	require.NoError(t, err)
	require.Contains(t, strings.Split(plan, "\n"),
		"SEARCH deposits USING COVERING INDEX deposits_customer_request_key (customer_no=? AND client_request_key>? AND client_request_key<?)", plan)
}

// TestHomeStatsReadIndexRanges checks that the Home page's stats read one
// range of created_at per status and asset: the counts from the index
// alone, the credited amounts through it.
func TestHomeStatsReadIndexRanges(t *testing.T) {
	t.Parallel()
	s, err := Open(context.Background(), t.TempDir()+"/plan.db")
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	for q, want := range map[string]string{
		statsCountSQL:    "SEARCH deposits USING COVERING INDEX deposits_status_asset (status=? AND asset_id=? AND created_at>? AND created_at<?)",
		statsCreditedSQL: "SEARCH deposits USING INDEX deposits_status_asset (status=? AND asset_id=? AND created_at>? AND created_at<?)",
	} {
		plan, err := explainQuery(context.Background(), s.read, q, dayMicros, 0, 1)
		require.NoError(t, err)
		require.Equal(t, want, strings.SplitN(plan, "\n", 2)[0], plan)
		require.NotContains(t, plan, "SCAN deposits")
	}
}

// TestWatcherChangesReadRangesNotTheTable: a watcher's pass reads what was
// written since its mark through the rowid and deposits_change, so it costs
// the records written, not the records stored (the UNION sorts the written
// ids, nothing else).
func TestWatcherChangesReadRangesNotTheTable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir()+"/plan.db")
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	for _, q := range []struct {
		query string
		args  []any
	}{{watchMarkQuery, nil}, {watchChangesQuery, []any{int64(5), int64(7), "regtest", "bitcoin"}}} {
		plan, err := explainQuery(ctx, s.read, q.query, q.args...)
		require.NoError(t, err)
		require.NotRegexp(t, `SCAN (d|deposits|a)\b`, plan)
		require.Regexp(t, `deposits_change \(change_seq>\?\)`, plan)
	}
}

// TestCustomerCountsReadTheIndexAlone checks that a customer's count with
// a status, an asset and either time range beside it reads the customer
// index alone (migration 00019), never the customer's table rows.
func TestCustomerCountsReadTheIndexAlone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir()+"/plan.db")
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	credited, asset := core.StatusCredited, int64(1)
	from, to := storetest.T0, storetest.T0.AddDate(0, 0, 30)
	for want, f := range map[string]core.DepositFilter{
		"deposits_customer":           {CustomerNo: ptr("C10001"), Status: &credited, AssetID: &asset, CreatedFrom: &from, CreatedTo: &to, RequestedFrom: &from},
		"deposits_customer_requested": {CustomerNo: ptr("C10001"), Status: &credited, AssetID: &asset, RequestedFrom: &from, RequestedTo: &to, CreatedTo: &to, Order: core.OrderRequested},
	} {
		where, args := searchWhere(f)
		q, args := countSQL(choosePlan(f, true).index, where, args, core.DepositCountCap+1)
		plan, err := explainQuery(ctx, s.read, q, args...)
		require.NoError(t, err)
		require.Contains(t, plan, "USING COVERING INDEX "+want+" (customer_no=?", plan)
	}
}
