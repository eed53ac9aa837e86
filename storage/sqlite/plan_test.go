package sqlite

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

// explain returns SQLite's plan for the search f, one step per line.
func explain(ctx context.Context, q queryer, f core.DepositFilter) (string, error) {
	query, args := searchSQL(f, f.Limit+1)
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
// the search filters, with and without a created-time range and a cursor:
// deposits are searched through an index (never scanned), and no temporary
// B-tree sorts them, so a page costs the same at 1M rows as at 10. The plan
// depends on the schema and the query only (the index is named), which is
// why an empty table proves it.
func TestEverySearchReadsAnIndexInOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir()+"/plan.db")
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })

	id, no, cust, acct, status, asset, tx := int64(1), "D20261125-000001", "C100001", "SA-100001", core.StatusCredited, int64(1), strings.Repeat("ab", 32)
	from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	setters := []func(*core.DepositFilter){
		func(f *core.DepositFilter) { f.ID = &id },
		func(f *core.DepositFilter) { f.RecordNo = &no },
		func(f *core.DepositFilter) { f.CustomerNo = &cust },
		func(f *core.DepositFilter) { f.SecuritiesAccount = &acct },
		func(f *core.DepositFilter) { f.Status = &status },
		func(f *core.DepositFilter) { f.AssetID = &asset },
		func(f *core.DepositFilter) { f.TxID = &tx },
		func(f *core.DepositFilter) { f.CreatedFrom, f.CreatedTo = &from, &to },
		func(f *core.DepositFilter) { f.After = &core.DepositCursor{CreatedAt: to.Add(-time.Hour), ID: 77} },
	}
	for mask := range 1 << len(setters) {
		f := core.DepositFilter{Limit: core.DefaultPageSize}
		for i, set := range setters {
			if mask&(1<<i) != 0 {
				set(&f)
			}
		}
		plan, err := explain(ctx, s.read, f)
		require.NoError(t, err)
		require.NotContains(t, plan, "TEMP B-TREE", "filter set %09b sorts instead of reading in order:\n%s", mask, plan)
		first := strings.SplitN(plan, "\n", 2)[0]
		require.True(t, strings.HasPrefix(first, "SEARCH d USING") || first == "SCAN d USING INDEX deposits_created",
			"filter set %09b does not search deposits through an index:\n%s", mask, plan)
		require.Contains(t, plan, "SEARCH a USING INTEGER PRIMARY KEY", "asset joined by key:\n%s", plan)
	}
}

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
