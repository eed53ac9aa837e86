package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/internal/pgtest"
	"depositdesk/storage/postgres"
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
		rows, err := conn.Query(ctx, `EXPLAIN `+query, args...)
		require.NoError(t, err)
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		require.NoError(t, err)
		plan := strings.Join(lines, "\n")
		require.Regexp(t, c.cond, plan, name)
	}

	// A TXID prefix's page reads its few matches from the hash's index
	// first, whatever the planner estimates (it preferred the time index
	// backwards at a million records, 280 ms): they are sorted after.
	f := core.DepositFilter{Prefix: true, TxID: ptr("8dba1c2f")}
	require.NoError(t, f.Validate())
	query, args := postgres.SearchQuery(f)
	rows, err = conn.Query(ctx, `EXPLAIN `+query, args...)
	require.NoError(t, err)
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	plan := strings.Join(lines, "\n")
	require.Regexp(t, `CTE m\n\s+->\s+(Bitmap Heap Scan on deposits d|Index (Only )?Scan using deposits_txid_hex on deposits d)`, plan)
	require.Contains(t, plan, "deposits_txid_hex", plan)
	require.NotContains(t, plan, "deposits_created", plan)
}

func ptr[T any](v T) *T { return &v }
