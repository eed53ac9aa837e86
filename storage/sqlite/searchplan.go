package sqlite

import (
	"context"
	"fmt"

	"depositdesk/core"
)

// plan is how a search reads deposits.
type plan struct {
	index  string // named with INDEXED BY; "" lets SQLite use the rowid for an id lookup
	sorted bool   // index is a prefix's range, read whole and sorted
	// merge, with a prefix of few values, holds them: each value's rows
	// are read from index in order and the reads merged.
	merge []string
}

// mergeMax is the most values of a customer-number or account prefix whose
// rows are read value by value and merged: a compound SELECT of one ordered
// index read per value, which SQLite merges in order (MERGE (UNION ALL)) and
// stops after the page, reading a page and one row per value whatever the
// values hold. Ten customers' 10,000 rows of a million: 0.2 ms merged, 1.3
// ms read in time order with the prefix as a filter.
const mergeMax = 16

// prefixSortMax is the most rows a prefix search sorts. Up to it, reading
// the prefix's own index range and sorting its ids costs less than reading
// the time index in order until Limit+1 rows match: a day's first record
// numbers or a hash's few records are sorted in microseconds, while in
// time order they may be one row in thousands. Past it the prefix holds at
// least this many rows, so the ordered read meets its page soon, unless
// they all lie far back in time (docs/storage.md).
const prefixSortMax = 2000

// searchPlan chooses how a search reads deposits. Every plan but a narrow
// prefix reads one index in the page's order (choosePlan). A prefix is a
// range of its column's index, whose rows come off in that column's order,
// not in time order: it is read that way, and sorted, only when a count of
// its range shows at most prefixSortMax rows; a wider prefix becomes a
// filter on the time-ordered read.
//
// A customer-number or account prefix of at most mergeMax values, found
// first (prefixValues), is read value by value and merged instead: in
// order, with no sort, however many rows each value has.
func searchPlan(ctx context.Context, q queryer, f core.DepositFilter) (plan, error) {
	p := prefixOf(f)
	if p == nil || f.ID != nil {
		return choosePlan(f, false), nil
	}
	if p.mergeable {
		vals, err := prefixValues(ctx, q, p, mergeMax+1)
		if err != nil {
			return plan{}, err
		}
		switch {
		case len(vals) == 0: // nothing to merge: an empty range, sorted in no time
			return plan{index: p.index, sorted: true}, nil
		case len(vals) <= mergeMax:
			return plan{index: p.index, merge: vals}, nil
		}
	}
	where, args := p.where()
	n, err := countRows(ctx, q, p.index, where, args, prefixSortMax+1)
	if err != nil {
		return plan{}, err
	}
	return choosePlan(f, n > prefixSortMax), nil
}

// prefixValues returns the distinct values of p's range, at most max, each
// found by one seek of its index (a loose index scan).
func prefixValues(ctx context.Context, q queryer, p *prefix, max int) ([]string, error) {
	query, args := prefixValuesSQL(p, max)
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("find prefix values: %w", err)
	}
	defer rows.Close()
	var vals []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("find prefix values: %w", err)
		}
		vals = append(vals, v)
	}
	return vals, rows.Err()
}

// prefixValuesSQL writes max in the text, as mergeSQL does its limit: a
// bound LIMIT would have the cached statement prepared again on every run.
func prefixValuesSQL(p *prefix, max int) (string, []any) {
	next := func(above string) string {
		return `(SELECT min(` + p.expr + `) FROM deposits d INDEXED BY ` + p.index + ` WHERE ` + p.expr + above + ` AND ` + p.expr + ` < ?)`
	}
	return `WITH RECURSIVE v(val) AS (SELECT ` + next(` >= ?`) + ` UNION ALL SELECT ` + next(` > v.val`) +
		fmt.Sprintf(` FROM v WHERE v.val IS NOT NULL LIMIT %d) SELECT val FROM v WHERE val IS NOT NULL`, max), []any{p.from, p.to, p.to}
}

// choosePlan is searchPlan once it is known whether f's prefix is wide. The
// index is the most selective filter's. Without statistics SQLite counts
// equality columns and would prefer (status, asset_id, …) — a third of the
// table — over one customer's few hundred rows; with statistics the choice
// depends on when ANALYZE last ran. Naming the index makes every plan the
// one measured in docs/storage.md.
func choosePlan(f core.DepositFilter, wide bool) plan {
	if f.ID != nil {
		return plan{}
	}
	if p := prefixOf(f); p != nil && !wide {
		return plan{index: p.index, sorted: true}
	}
	twin := func(ix string) plan {
		if f.Order.ByRequest() {
			return plan{index: ix + "_requested"}
		}
		return plan{index: ix}
	}
	switch {
	case f.RecordNo != nil && !f.Prefix:
		return plan{index: "deposits_record_no"}
	case f.TxID != nil && !f.Prefix:
		// No request-time twin: a hash names a handful of records (the
		// outputs of one transaction), sorted in no time.
		return plan{index: "deposits_txid"}
	case f.CustomerNo != nil && !f.Prefix:
		return twin("deposits_customer")
	case f.SecuritiesAccount != nil && !f.Prefix:
		return twin("deposits_account")
	case f.Status != nil && f.AssetID != nil:
		return twin("deposits_status_asset")
	case f.Status != nil:
		return twin("deposits_status")
	case f.AssetID != nil:
		return twin("deposits_asset")
	}
	if f.Order.ByRequest() {
		return plan{index: "deposits_requested"}
	}
	return plan{index: "deposits_created"}
}

// prefix is a prefix filter as a range of its index: expr in [from, to).
type prefix struct {
	index, expr, from, to string
	// mergeable: few values with many rows each (customer numbers,
	// accounts), unlike record numbers and hashes, which are one per row.
	mergeable bool
}

func (p *prefix) where() (string, []any) {
	return " WHERE " + p.expr + " >= ? AND " + p.expr + " < ?", []any{p.from, p.to}
}

// prefixOf returns the prefix filter a search would read by its own range:
// the first present of record number (a day's numbers at most), hash,
// customer and account; nil without Prefix. Customer and account ranges
// are read from the index ending in the search's sort time, so sorting
// them needs nothing but the index.
func prefixOf(f core.DepositFilter) *prefix {
	if !f.Prefix {
		return nil
	}
	byRequest := ""
	if f.Order.ByRequest() {
		byRequest = "_requested"
	}
	for _, p := range []struct {
		val         *string
		index, expr string
		mergeable   bool
	}{
		{f.RecordNo, "deposits_record_no", "d.record_no", false},
		{f.TxID, "deposits_txid", txidHex, false},
		{f.CustomerNo, "deposits_customer" + byRequest, "d.customer_no", true},
		{f.SecuritiesAccount, "deposits_account" + byRequest, "d.securities_account", true},
	} {
		if p.val != nil {
			return &prefix{p.index, p.expr, *p.val, core.PrefixEnd(*p.val), p.mergeable}
		}
	}
	return nil
}

// CountDeposits implements core.Store: the rows the search would read,
// through countIndex, stopping at limit+1.
func (s *Store) CountDeposits(ctx context.Context, f core.DepositFilter, limit int) (int, bool, error) {
	q := preparedReader{s}
	f.After = nil
	ix, _, err := countIndex(ctx, q, f, limit)
	if err != nil {
		return 0, false, err
	}
	where, args := searchWhere(f)
	n, err := countRows(ctx, q, ix, where, args, limit+1)
	if err != nil {
		return 0, false, err
	}
	return min(n, limit), n > limit, nil
}

// countIndex names the index a count reads, with the probes it ran to
// choose it. A count has no order, so it reads the narrowest range it can
// bound: the search's index, or with a prefix the prefix's range (limit+1
// index entries at most). With status or asset beside a prefix, whichever
// of the prefix's range and their index's range holds fewer rows, both
// counted from the index alone: the prefix's up to limit+1, then the
// other's only up to one past the prefix's count, which is all the choice
// needs (a customer's thousand records against a status's tens of
// thousands read a thousand entries twice, not ten thousand).
func countIndex(ctx context.Context, q queryer, f core.DepositFilter, limit int) (string, []Statement, error) {
	p := prefixOf(f)
	if p == nil || f.ID != nil {
		return choosePlan(f, true).index, nil, nil
	}
	if f.Status == nil && f.AssetID == nil {
		return p.index, nil, nil
	}
	where, args := p.where()
	inPrefix, inPrefixArgs := countSQL(p.index, where, args, limit+1)
	var inRange, inOther int
	if err := q.QueryRowContext(ctx, inPrefix, inPrefixArgs...).Scan(&inRange); err != nil {
		return "", nil, fmt.Errorf("count deposits: %w", err)
	}
	rest := core.DepositFilter{Status: f.Status, AssetID: f.AssetID, Order: f.Order, RequestedFrom: f.RequestedFrom, RequestedTo: f.RequestedTo}
	rest.CreatedFrom, rest.CreatedTo = f.CreatedRange()
	other := choosePlan(rest, true).index
	where, args = searchWhere(rest)
	otherSQL, otherArgs := countSQL(other, where, args, inRange+1)
	if err := q.QueryRowContext(ctx, otherSQL, otherArgs...).Scan(&inOther); err != nil {
		return "", nil, fmt.Errorf("count deposits: %w", err)
	}
	probes := []Statement{{inPrefix, inPrefixArgs}, {otherSQL, otherArgs}}
	if inOther < inRange {
		return other, probes, nil
	}
	return p.index, probes, nil
}

// countRows counts the rows of ix that where selects, up to max.
func countRows(ctx context.Context, q queryer, ix, where string, args []any, max int) (int, error) {
	var n int
	query, args := countSQL(ix, where, args, max)
	if err := q.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count deposits: %w", err)
	}
	return n, nil
}

func countSQL(ix, where string, args []any, max int) (string, []any) {
	return `SELECT count(*) FROM (SELECT 1 FROM deposits d` + indexedBy(ix) + where + ` LIMIT ?)`, append(args[:len(args):len(args)], max)
}
