package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"depositdesk/core"
)

// FindDeposits implements core.Store: newest first by the filter's order,
// keyset paging on (time, id) with a row comparison the planner matches to
// the indexes. Which index is the planner's choice, from its statistics:
// every filter has one ending in each order's (time, id), and the prefix
// columns compare bytewise (migration 00015), so a prefix is a range of
// its index.
func (s *Store) FindDeposits(ctx context.Context, f core.DepositFilter) (core.DepositPage, error) {
	return findDeposits(ctx, s.pool, f)
}

func findDeposits(ctx context.Context, q querier, f core.DepositFilter) (core.DepositPage, error) {
	m, err := planMerge(ctx, q, f)
	if err != nil {
		return core.DepositPage{}, err
	}
	query, args := searchQuery(f, m)
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return core.DepositPage{}, fmt.Errorf("find deposits: %w", err)
	}
	defer rows.Close()
	var recs []*core.DepositRecord
	for rows.Next() {
		d, err := scanDeposit(rows)
		if err != nil {
			return core.DepositPage{}, err
		}
		recs = append(recs, d)
	}
	if err := rows.Err(); err != nil {
		return core.DepositPage{}, err
	}
	return f.Page(recs), nil
}

// searchQuery is the query of one page of f, with one row more; m, when
// set, is the prefix's values to read one by one (planMerge).
func searchQuery(f core.DepositFilter, m *merge) (string, []any) {
	if m != nil {
		return mergeQuery(f, m)
	}
	w := depositWhere(f, true)
	order := fmt.Sprintf(` ORDER BY %s DESC, d.id DESC LIMIT %d`, sortColumn(f), f.PageSize()+1)
	if f.Prefix && f.TxID != nil {
		// A TXID prefix (at least core.MinTxIDPrefix digits) matches a
		// handful of records, but Postgres estimates thousands from the
		// expression index and would rather read the whole time index
		// backwards, filtering: 280 ms at a million records. The matches
		// are read first (MATERIALIZED keeps the planner from folding
		// them back into the ordered scan), then sorted.
		return `WITH m AS MATERIALIZED (SELECT d.id FROM deposits d WHERE ` + w.sql() + `) SELECT ` + depositColumns +
			depositFrom + ` WHERE d.id IN (SELECT id FROM m)` + order, w.args
	}
	return `SELECT ` + depositColumns + depositFrom + ` WHERE ` + w.sql() + order, w.args
}

// CountDeposits implements core.Store: the search's rows, stopping at
// limit+1.
func (s *Store) CountDeposits(ctx context.Context, f core.DepositFilter, limit int) (int, bool, error) {
	query, args, several := countQuery(f, limit)
	return countDeposits(ctx, s.countPool(several), query, args, limit)
}

// countPool is where a count runs. A count of one condition has its
// column's index to read whatever the value, and keeps its plan; a count
// of several is planned for its values on every run (Store.counts), as
// its generic plan would guess from average shares which indexes to AND.
func (s *Store) countPool(several bool) *pgxpool.Pool {
	if several {
		return s.counts
	}
	return s.pool
}

func countDeposits(ctx context.Context, q querier, query string, args []any, limit int) (int, bool, error) {
	var n int
	if err := q.QueryRow(ctx, query, args...).Scan(&n); err != nil {
		return 0, false, fmt.Errorf("count deposits: %w", err)
	}
	return min(n, limit), n > limit, nil
}

// countQuery is the count of f's rows up to limit+1, and whether its
// condition has several parts.
func countQuery(f core.DepositFilter, limit int) (string, []any, bool) {
	f.After = nil
	w := depositWhere(f, false)
	return fmt.Sprintf(`SELECT count(*) FROM (SELECT 1 FROM deposits d WHERE %s LIMIT %d) m`, w.sql(), limit+1), w.args, len(w.conds) > 1
}

func sortColumn(f core.DepositFilter) string {
	if f.Order.ByRequest() {
		return "d.requested_at"
	}
	return "d.created_at"
}

// depositWhere is the condition of f's rows; page says whether it is a
// page's (ordered) or a count's.
func depositWhere(f core.DepositFilter, page bool) *where {
	w := newWhere()
	text := func(expr string, val *string) {
		switch {
		case val == nil:
		case f.Prefix:
			w.add(expr+" >= ? AND "+expr+" < ?", *val, core.PrefixEnd(*val))
		default:
			w.add(expr+" = ?", *val)
		}
	}
	if f.ID != nil {
		w.add("d.id = ?", *f.ID)
	}
	text("d.record_no", f.RecordNo)
	text("d.customer_no", f.CustomerNo)
	text("d.securities_account", f.SecuritiesAccount)
	switch {
	case f.TxID == nil:
	case f.Prefix:
		// The expression of deposits_txid_hex, whose predicate the
		// planner must see implied.
		w.add("d.txid IS NOT NULL AND right(d.txid, 64) >= ? AND right(d.txid, 64) < ?", *f.TxID, core.PrefixEnd(*f.TxID))
	default:
		w.add("d.txid IN (?, ?)", *f.TxID, "0x"+*f.TxID)
	}
	if f.TxIDTail != nil {
		w.add("right(d.txid, ?) = ?", len(*f.TxIDTail), *f.TxIDTail)
	}
	// A page's statement has a status core knows written in, not bound:
	// pgx prepares each page and after five runs Postgres may keep a
	// generic plan, which sees "status = $1" as one status's share of the
	// table whatever the status. For a rare one (2 % "rejected" at a
	// million records) the page read deposits_created backwards, filtering,
	// past 2,152 rows (4.1 ms) where the status index gives it from 51
	// entries. Written in, each status is a statement of its own, planned
	// for its value (nine at most); every other filter of a page has an
	// index matching its values and its order, whatever the values. A
	// count keeps the status bound: a count of several conditions is
	// planned for its values on every run (Store.counts), and one of the
	// status alone reads the status index whatever the value. An unknown
	// status is always bound, never spliced.
	switch {
	case f.Status == nil:
	case page && f.Status.Valid():
		w.add("d.status = '" + string(*f.Status) + "'")
	default:
		w.add("d.status = ?", string(*f.Status))
	}
	if f.AssetID != nil {
		w.add("d.asset_id = ?", *f.AssetID)
	}
	timeRange := func(col string, from, to *time.Time) {
		if from != nil {
			w.add(col+" >= ?", from.UTC())
		}
		if to != nil {
			w.add(col+" < ?", to.UTC())
		}
	}
	// The record-number prefix's days bound the creation time too.
	createdFrom, createdTo := f.CreatedRange()
	timeRange("d.created_at", createdFrom, createdTo)
	timeRange("d.requested_at", f.RequestedFrom, f.RequestedTo)
	if f.After != nil {
		w.add("("+sortColumn(f)+", d.id) < (?, ?)", f.After.At.UTC(), f.After.ID)
	}
	return w
}
