package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/internal/pgtest"
	"depositdesk/storage/postgres"
	"depositdesk/storage/storetest"
)

// TestSearchedColumnsCompareBytewise checks that a prefix is a range of its
// index under any database locale: migration 00015 gives the searched
// columns the "C" collation (a linguistic one weighs no dash, so "C-1"
// would sort among "C1…"), and the range bounds the index scan (an Index
// Cond), never a filter on every row.
func TestSearchedColumnsCompareBytewise(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)

	rows, err := conn.Query(ctx, `SELECT column_name, collation_name FROM information_schema.columns
		WHERE table_name = 'deposits' AND column_name IN ('record_no', 'customer_no', 'securities_account', 'txid') ORDER BY column_name`)
	require.NoError(t, err)
	collations, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
		var col, coll string
		err := r.Scan(&col, &coll)
		return col + " " + coll, err
	})
	require.NoError(t, err)
	require.Equal(t, []string{"customer_no C", "record_no C", "securities_account C", "txid C"}, collations)

	_, err = conn.Exec(ctx, `SET enable_seqscan = off`)
	require.NoError(t, err)
	for name, c := range map[string]struct {
		filter core.DepositFilter
		cond   string
	}{
		"Customer": {core.DepositFilter{CustomerNo: ptr("C10")}, `Index (Only )?Scan using deposits_customer\w* on deposits d[^\n]*\n\s+Index Cond: \(\(customer_no >= '[^']+'::text\) AND \(customer_no < '[^']+'::text\)\)`},
		"Account":  {core.DepositFilter{SecuritiesAccount: ptr("SA-1")}, `Index (Only )?Scan using deposits_account\w* on deposits d[^\n]*\n\s+Index Cond: \(\(securities_account >= '[^']+'::text\) AND \(securities_account < '[^']+'::text\)\)`},
		"RecordNo": {core.DepositFilter{RecordNo: ptr("D2026")}, `Index (Only )?Scan using deposits_record_no on deposits d[^\n]*\n\s+Index Cond: \(\(record_no >= '[^']+'::text\) AND \(record_no < '[^']+'::text\)\)`},
		"TxID":     {core.DepositFilter{TxID: ptr("8dba1c2f")}, `Index (Only )?Scan using deposits_txid_hex on deposits d[^\n]*\n\s+Index Cond: \(\("right"\(txid, 64\) >= '[^']+'::text\) AND \("right"\(txid, 64\) < '[^']+'::text\)\)`},
	} {
		c.filter.Prefix = true
		require.NoError(t, c.filter.Validate())
		query, args := postgres.CountQuery(c.filter, core.DepositCountCap)
		require.Regexp(t, c.cond, explain(t, conn, query, args), name)
	}

	// A TXID prefix's page reads its few matches from the hash's index
	// first, whatever the planner estimates (it preferred the time index
	// backwards at a million records, 280 ms): they are sorted after.
	s, err := postgres.Open(ctx, url)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	plan := explainPage(t, conn, s, core.DepositFilter{Prefix: true, TxID: ptr("8dba1c2f")})
	require.Regexp(t, `CTE m\n\s+->\s+(Bitmap Heap Scan on deposits d|Index (Only )?Scan using deposits_txid_hex on deposits d)`, plan)
	require.Contains(t, plan, "deposits_txid_hex", plan)
	require.NotContains(t, plan, "deposits_created", plan)
}

// TestPrefixPageReadsValueByValue checks the plan of a customer-number or
// account prefix's page: its values found by one descent of the column's
// index each, then each value's rows read from its (column, time, id)
// index backwards, in the page's order, never the time index filtered by
// the prefix (at a million records an account prefix's page read 37,106
// rows of deposits_created for 51).
func TestPrefixPageReadsValueByValue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, url, f := openWithBTC(t)
	for _, no := range []string{"10001", "10002", "10003", "20001"} {
		f.MustCreateDeposit(t, f.Deposit(f.BTC, storetest.MustCreateCustomer(t, s, "C"+no, "SA-"+no), 0))
	}
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `SET enable_seqscan = off`)
	require.NoError(t, err)
	credited := core.StatusCredited
	for name, c := range map[string]struct {
		filter     core.DepositFilter
		index, col string
	}{
		"Customer":          {core.DepositFilter{CustomerNo: ptr("c1000")}, "deposits_customer", "customer_no"},
		"Account":           {core.DepositFilter{SecuritiesAccount: ptr("SA-1000")}, "deposits_account", "securities_account"},
		"CustomerAndStatus": {core.DepositFilter{CustomerNo: ptr("C1000"), Status: &credited}, "deposits_customer", "customer_no"},
		"ByRequestTime":     {core.DepositFilter{SecuritiesAccount: ptr("SA-1"), Order: core.OrderRequested}, "deposits_account_requested", "securities_account"},
	} {
		c.filter.Prefix = true
		stmts, err := s.SearchSQL(ctx, validated(t, c.filter))
		require.NoError(t, err)
		require.Len(t, stmts, 2, name)
		values := explain(t, conn, stmts[0].SQL, stmts[0].Args)
		require.Regexp(t, `Index Only Scan using `+strings.TrimSuffix(c.index, "_requested")+`\w* on deposits d`, values, name)
		require.NotContains(t, values, "Seq Scan", name)
		plan := explainPage(t, conn, s, c.filter)
		require.Regexp(t, `Function Scan on unnest v[^\n]*\n(.*\n)?\s+->\s+Limit[^\n]*\n\s+->\s+Index (Only )?Scan Backward using `+c.index+
			` on deposits d_1[^\n]*\n\s+Index Cond: \(`+c.col+` = v.val\)`, plan, name)
		require.NotContains(t, plan, "deposits_created", name)
		require.NotContains(t, plan, "deposits_requested ", name)
	}
}

func validated(t *testing.T, f core.DepositFilter) core.DepositFilter {
	t.Helper()
	require.NoError(t, f.Validate())
	return f
}

// explainPage is the plan of f's page as the store reads it.
func explainPage(t *testing.T, conn *pgx.Conn, s *postgres.Store, f core.DepositFilter) string {
	t.Helper()
	query, args, err := s.SearchQuery(context.Background(), validated(t, f))
	require.NoError(t, err)
	return explain(t, conn, query, args)
}

func explain(t *testing.T, conn *pgx.Conn, query string, args []any) string {
	t.Helper()
	rows, err := conn.Query(context.Background(), `EXPLAIN `+query, args...)
	require.NoError(t, err)
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return strings.Join(lines, "\n")
}

func ptr[T any](v T) *T { return &v }

// seedStatuses bulk-inserts n records of customers C001…C030 (accounts
// SA001…SA030), their statuses strewn over the time as at a real desk
// (none follows the table's order) with 0.2 % rejected. The bulk insert
// analyses the table; seedStatuses waits until it is vacuumed as
// autovacuum would leave it, its pages visible to all.
func seedStatuses(t *testing.T, n int) (*postgres.Store, *pgx.Conn, *storetest.Fixture) {
	t.Helper()
	ctx := context.Background()
	s, url, f := openWithBTC(t)
	customers := make([]*core.Customer, 30)
	for i := range customers {
		no := fmt.Sprintf("%03d", i+1)
		customers[i] = storetest.MustCreateCustomer(t, s, "C"+no, "SA"+no)
	}
	common := []core.DepositStatus{core.StatusCredited, core.StatusCancelled, core.StatusVerifying,
		core.StatusConfirming, core.StatusHeld, core.StatusDeleted}
	rng := rand.New(rand.NewPCG(1, 2))
	recs := make([]*core.DepositRecord, n)
	for i := range recs {
		d := f.Deposit(f.BTC, customers[rng.IntN(len(customers))], i)
		d.RecordNo, d.Status = core.FormatRecordNo(d.CreatedAt, int64(i+1)), common[rng.IntN(len(common))]
		if i%500 == 0 {
			d.Status = core.StatusRejected
		}
		recs[i] = d
	}
	_, err := s.BulkInsertDeposits(ctx, slices.Values(recs), storetest.SeedAudit(storetest.T0))
	require.NoError(t, err)
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(context.Background()) })
	// The test cluster commits asynchronously, and VACUUM marks a page
	// visible to all only once the commits of its rows are known on disk,
	// which the log writer sees to within moments.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var left int
		_, err := conn.Exec(ctx, `VACUUM deposits`)
		require.NoError(t, err)
		require.NoError(t, conn.QueryRow(ctx, `SELECT relpages - relallvisible FROM pg_class WHERE relname = 'deposits'`).Scan(&left))
		if left == 0 {
			break
		}
		require.True(t, time.Now().Before(deadline), "%d pages of deposits not visible to all after 10 s", left)
	}
	return s, conn, f
}

// TestKeptPlansReadTheirIndex checks the plans Postgres may keep for the
// desk's prepared statements once it stops planning each run for its
// values (after five runs, when the generic plan looks no dearer): pages,
// and counts of one condition. A rare status's page reads the status
// index, not the time index backwards filtering by status (at a million
// records that passed over 2,152 rows for a page of "rejected", 4.1 ms):
// a bound status is a seventh of the table to a generic plan, a
// written-in one is planned for its value. A count of one condition reads
// that condition's index, for a rare value as for a common one.
func TestKeptPlansReadTheirIndex(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, conn, f := seedStatuses(t, 30_000)
	_, err := conn.Exec(ctx, `SET plan_cache_mode = force_generic_plan`)
	require.NoError(t, err)
	prepare := func(name, query string, args []any) string {
		_, err := conn.Prepare(ctx, name, query)
		require.NoError(t, err)
		return explain(t, conn, `EXECUTE "`+name+`"`+executeArgs(args), nil)
	}

	rejected := core.StatusRejected
	for name, filter := range map[string]core.DepositFilter{
		"Status":         {Status: &rejected},
		"StatusAndAsset": {Status: &rejected, AssetID: &f.BTC.ID},
		"ByRequestTime":  {Status: &rejected, Order: core.OrderRequested},
	} {
		query, args, err := s.SearchQuery(ctx, validated(t, filter))
		require.NoError(t, err)
		plan := prepare(name, query, args)
		require.Regexp(t, `Index (Only )?Scan Backward using deposits_status\w* on deposits d`, plan, name)
		require.NotRegexp(t, `deposits_(created|requested) `, plan, name)
	}

	txid := strings.TrimPrefix(storetest.TxID(core.ChainBitcoin, 7919), "0x")
	for name, c := range map[string]struct {
		filter core.DepositFilter
		index  string
	}{
		"StatusCount":   {core.DepositFilter{Status: &rejected}, "deposits_status"},
		"AssetCount":    {core.DepositFilter{AssetID: &f.BTC.ID}, "deposits_asset"},
		"CustomerCount": {core.DepositFilter{CustomerNo: ptr("C01"), Prefix: true}, "deposits_customer"},
		"AccountCount":  {core.DepositFilter{SecuritiesAccount: ptr("SA007")}, "deposits_account"},
		"TxIDCount":     {core.DepositFilter{TxID: &txid}, "deposits_txid"},
		"TxIDPrefix":    {core.DepositFilter{TxID: ptr(txid[:8]), Prefix: true}, "deposits_txid_hex"},
	} {
		query, args := postgres.CountQuery(validated(t, c.filter), core.DepositCountCap)
		plan := prepare(name, query, args)
		require.Regexp(t, `Index (Only )?Scan using `+c.index+`\w* on deposits d|Bitmap Index Scan on `+c.index+`\w*`, plan, name)
		require.NotContains(t, plan, "Seq Scan", name)
		require.NotContains(t, plan, "BitmapAnd", name)
	}
}

// A page's statement has a status core knows written in, and one it does
// not know bound, never written in; a count binds every status.
func TestKnownStatusIsWrittenInOnlyForAPage(t *testing.T) {
	odd, credited := core.DepositStatus("x' OR 'y' = 'y"), core.StatusCredited
	query, args := postgres.PageQuery(core.DepositFilter{Status: &odd})
	require.NotContains(t, query, string(odd))
	require.Contains(t, args, any(string(odd)))
	query, args = postgres.PageQuery(core.DepositFilter{Status: &credited})
	require.Contains(t, query, "d.status = 'credited'")
	require.NotContains(t, args, any("credited"))
	for _, st := range []core.DepositStatus{odd, credited} {
		query, args = postgres.CountQuery(core.DepositFilter{Status: &st}, core.DepositCountCap)
		require.NotContains(t, query, string(st))
		require.Contains(t, args, any(string(st)))
	}
}

// TestCountsArePlannedForTheirValues checks that Postgres plans every run
// of a count of several conditions for its values, as it plans psql's,
// and never settles on the statement's generic plan. pgx prepares each
// statement, and after five runs Postgres keeps the generic plan when it
// looks no dearer than the custom ones; for such a count that plan
// guesses from average shares which indexes to AND. At a million records
// it read the status-asset index's 37,625 entries for one customer's
// records of a status, an asset and 30 days (40 ms; planned for the
// values, an index-only read of the customer's entries, 0.2 ms), and
// 227,297 entries without the 30 days (203 ms).
func TestCountsArePlannedForTheirValues(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, f := seedStatuses(t, 30_000)
	rejected, credited := core.StatusRejected, core.StatusCredited
	from, to := storetest.T0.Add(24*time.Hour), storetest.T0.Add(5*24*time.Hour)
	filters := map[string]core.DepositFilter{
		"StatusAndAsset": {Status: &rejected, AssetID: &f.BTC.ID},
		"CustomerPrefix": {Status: &rejected, CustomerNo: ptr("C01"), Prefix: true},
		"CustomerRange":  {Status: &credited, AssetID: &f.BTC.ID, CustomerNo: ptr("C007"), CreatedFrom: &from, CreatedTo: &to},
		"RecordNo":       {RecordNo: ptr(core.RecordNoDay(storetest.T0)), Prefix: true},
	}
	// The store is given validated filters, as core.Service gives them;
	// their statements are the ones whose plans are read below.
	counts := map[string]bool{}
	for name, filter := range filters {
		filters[name] = validated(t, filter)
		query, _ := postgres.CountQuery(filters[name], core.DepositCountCap)
		counts[query] = true
	}
	for range 8 {
		for name, filter := range filters {
			want, _, err := s.CountDeposits(ctx, filter, core.DepositCountCap)
			require.NoError(t, err, name)
			require.NotZero(t, want, name)
			_, n, _, err := s.CountDepositsAs(ctx, 1, filter, core.DepositCountCap)
			require.NoError(t, err, name)
			require.Equal(t, want, n, name)
		}
	}
	plans, err := s.CountPlans(ctx)
	require.NoError(t, err)
	var custom int64
	for _, p := range plans {
		if counts[p.SQL] {
			require.Zero(t, p.Generic, p.SQL)
			custom += p.Custom
		}
	}
	// Each filter counted 8 times alone and 8 times with the operator's
	// read, and the statements are held prepared for it to be seen.
	require.GreaterOrEqual(t, custom, int64(len(filters)*8*2))
}

// TestStatusCountWithinACustomerReadsTheIndexAlone checks migration 00019:
// a count of one customer's (or account's) records narrowed by status is
// an index-only scan of the customer's entries, never a visit to each
// record's page for its status (1,000 pages for a customer at a million
// records, p95 about 3 ms).
func TestStatusCountWithinACustomerReadsTheIndexAlone(t *testing.T) {
	t.Parallel()
	_, conn, _ := seedStatuses(t, 30_000)
	credited := core.StatusCredited
	for name, c := range map[string]struct {
		filter core.DepositFilter
		index  string
	}{
		"Customer":       {core.DepositFilter{CustomerNo: ptr("C007"), Status: &credited}, "deposits_customer_requested"},
		"CustomerPrefix": {core.DepositFilter{CustomerNo: ptr("C02"), Prefix: true, Status: &credited}, "deposits_customer_requested"},
		"Account":        {core.DepositFilter{SecuritiesAccount: ptr("SA007"), Status: &credited}, "deposits_account_requested"},
	} {
		query, args := postgres.CountQuery(validated(t, c.filter), core.DepositCountCap)
		plan := explain(t, conn, `(ANALYZE) `+query, args)
		require.Regexp(t, `Index Only Scan using `+c.index+` on deposits d`, plan, name)
		require.Contains(t, plan, "Heap Fetches: 0", name)
	}
}

// executeArgs is args as EXECUTE's list of literals.
func executeArgs(args []any) string {
	if len(args) == 0 {
		return ""
	}
	lits := make([]string, len(args))
	for i, a := range args {
		lits[i] = fmt.Sprintf("'%v'", a)
	}
	return "(" + strings.Join(lits, ", ") + ")"
}
