package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"depositdesk/core"
)

// FindDeposits implements core.Store. The page is read in order straight off
// one index ending in (created_at, id) or (requested_at, id), backwards for
// newest first, so it stops after Limit+1 rows whatever the table size; the
// cursor and a range on the same time bound the same index scan. The one
// exception is a narrow prefix (searchIndex), read through its own range
// and sorted.
func (s *Store) FindDeposits(ctx context.Context, f core.DepositFilter) (core.DepositPage, error) {
	return findDeposits(ctx, preparedReader{s}, f)
}

func findDeposits(ctx context.Context, q queryer, f core.DepositFilter) (core.DepositPage, error) {
	ix, err := searchIndex(ctx, q, f)
	if err != nil {
		return core.DepositPage{}, err
	}
	query, args := searchSQL(f, ix, f.PageSize()+1)
	rows, err := q.QueryContext(ctx, query, args...)
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
		return core.DepositPage{}, fmt.Errorf("find deposits: %w", err)
	}
	return f.Page(recs), nil
}

// CountDeposits implements core.Store: the search's own rows, through the
// same index, stopping at limit+1.
func (s *Store) CountDeposits(ctx context.Context, f core.DepositFilter, limit int) (int, bool, error) {
	q := preparedReader{s}
	f.After = nil
	ix, err := searchIndex(ctx, q, f)
	if err != nil {
		return 0, false, err
	}
	where, args := searchWhere(f)
	var n int
	err = q.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM deposits d`+indexedBy(ix)+where+` LIMIT ?)`, append(args, limit+1)...).Scan(&n)
	if err != nil {
		return 0, false, fmt.Errorf("count deposits: %w", err)
	}
	return min(n, limit), n > limit, nil
}

// prefixSortMax is the most rows a prefix search sorts. Up to it, reading
// the prefix's own index range and sorting costs less than reading the
// time index in order until Limit+1 rows match: a customer's full number
// (a hundred rows) is sorted in microseconds, while in time order its rows
// are one in ten thousand. Past it the prefix holds at least this share of
// the table, so the ordered read finds a page soon.
const prefixSortMax = 2000

// searchIndex names the index a search reads, from the most selective
// filter present. Without statistics SQLite counts equality columns and
// would prefer (status, asset_id, …) — a third of the table — over one
// customer's few hundred rows; with statistics the choice depends on when
// ANALYZE last ran. Naming the index makes every plan the one measured in
// docs/storage.md. "" lets SQLite use the rowid for an id lookup.
//
// Every index but a prefix's range yields rows in the page's order. A
// prefix is a range of its column, whose rows come off the index in that
// column's order, not in time order: it is read that way only when a
// count of its range (prefixRows) shows at most prefixSortMax rows to
// sort; a wider prefix becomes a filter on the time-ordered read.
func searchIndex(ctx context.Context, q queryer, f core.DepositFilter) (string, error) {
	wide := false
	if p := prefixOf(f); p != nil && f.ID == nil {
		n, err := prefixRows(ctx, q, p)
		if err != nil {
			return "", err
		}
		wide = n > prefixSortMax
	}
	return chooseIndex(f, wide), nil
}

// chooseIndex is searchIndex once it is known whether f's prefix is wide.
func chooseIndex(f core.DepositFilter, wide bool) string {
	if f.ID != nil {
		return ""
	}
	if p := prefixOf(f); p != nil && !wide {
		return p.index
	}
	byRequest := f.Order.ByRequest()
	twin := func(ix string) string {
		if byRequest {
			return ix + "_requested"
		}
		return ix
	}
	switch {
	case f.RecordNo != nil && !f.Prefix:
		return "deposits_record_no"
	case f.TxID != nil && !f.Prefix:
		// No request-time twin: a hash names a handful of records (the
		// outputs of one transaction), sorted in no time.
		return "deposits_txid"
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
	case byRequest:
		return "deposits_requested"
	}
	return "deposits_created"
}

// prefix is a prefix filter as an index range: expr in [from, to).
type prefix struct {
	index, expr, from, to string
}

// prefixOf returns the prefix filter a search would read by its own range:
// the first present of record number (a day's numbers at most), hash,
// customer and account. nil without Prefix.
func prefixOf(f core.DepositFilter) *prefix {
	if !f.Prefix {
		return nil
	}
	for _, p := range []struct {
		val         *string
		index, expr string
	}{
		{f.RecordNo, "deposits_record_no", "d.record_no"},
		{f.TxID, "deposits_txid", txidHex},
		{f.CustomerNo, "deposits_customer", "d.customer_no"},
		{f.SecuritiesAccount, "deposits_account", "d.securities_account"},
	} {
		if p.val != nil {
			return &prefix{p.index, p.expr, *p.val, core.PrefixEnd(*p.val)}
		}
	}
	return nil
}

// prefixRows counts the rows of p's range, up to prefixSortMax+1, from the
// index alone.
func prefixRows(ctx context.Context, q queryer, p *prefix) (int, error) {
	var n int
	query, args := prefixRowsSQL(p)
	if err := q.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count prefix: %w", err)
	}
	return n, nil
}

func prefixRowsSQL(p *prefix) (string, []any) {
	return `SELECT count(*) FROM (SELECT 1 FROM deposits d INDEXED BY ` + p.index +
		` WHERE ` + p.expr + ` >= ? AND ` + p.expr + ` < ? LIMIT ?)`, []any{p.from, p.to, prefixSortMax + 1}
}

// txidHex is a stored hash as the filter arrives, bare hex: hashes are
// stored canonical, bare on Bitcoin and 0x-prefixed on Ethereum, so their
// last 64 characters are the hex. One expression, indexed by
// deposits_txid, for equality and prefix alike: the same rows as
// txid IN (?, '0x' || ?), but without a sort of the matches.
const txidHex = "substr(d.txid, -64)"

func indexedBy(ix string) string {
	if ix == "" {
		return ""
	}
	return " INDEXED BY " + ix
}

// searchWhere is the WHERE clause of f, cursor included.
func searchWhere(f core.DepositFilter) (string, []any) {
	where, args := []string{}, []any{}
	add := func(cond string, vals ...any) { where, args = append(where, cond), append(args, vals...) }
	text := func(expr string, val *string) {
		switch {
		case val == nil:
		case f.Prefix:
			add(expr+" >= ? AND "+expr+" < ?", *val, core.PrefixEnd(*val))
		default:
			add(expr+" = ?", *val)
		}
	}
	if f.ID != nil {
		add("d.id = ?", *f.ID)
	}
	text("d.record_no", f.RecordNo)
	text("d.customer_no", f.CustomerNo)
	text("d.securities_account", f.SecuritiesAccount)
	text(txidHex, f.TxID)
	if f.TxIDTail != nil {
		add("substr(d.txid, ?) = ?", -len(*f.TxIDTail), *f.TxIDTail)
	}
	if f.Status != nil {
		add("d.status = ?", string(*f.Status))
	}
	if f.AssetID != nil {
		add("d.asset_id = ?", *f.AssetID)
	}
	timeRange := func(col string, from, to *time.Time) {
		if from != nil {
			add(col+" >= ?", micros(*from))
		}
		if to != nil {
			add(col+" < ?", micros(*to))
		}
	}
	// The record-number prefix's days bound the creation time too.
	createdFrom, createdTo := f.CreatedRange()
	timeRange("d.created_at", createdFrom, createdTo)
	timeRange("d.requested_at", f.RequestedFrom, f.RequestedTo)
	if f.After != nil {
		// (time, id) < cursor, written so that "time <= ?" is a plain upper
		// bound of the index range and the rest a cheap filter.
		at, col := micros(f.After.At), sortColumn(f)
		add(col+" <= ? AND ("+col+" < ? OR d.id < ?)", at, at, f.After.ID)
	}
	if len(where) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

func sortColumn(f core.DepositFilter) string {
	if f.Order.ByRequest() {
		return "d.requested_at"
	}
	return "d.created_at"
}

// searchSQL builds the query of a search through index ix returning at
// most limit rows. The CROSS JOIN keeps deposits the outer loop (SQLite
// never reorders a CROSS JOIN), so the asset lookup cannot turn the
// ordered index scan into a sort.
func searchSQL(f core.DepositFilter, ix string, limit int) (string, []any) {
	where, args := searchWhere(f)
	col := sortColumn(f)
	// LIMIT is a parameter so the statement text depends only on which
	// filters are set, and prepared statements can be reused.
	return `SELECT ` + depositColumns + ` FROM deposits d` + indexedBy(ix) + ` CROSS JOIN assets a ON a.id = d.asset_id` + where +
		` ORDER BY ` + col + ` DESC, d.id DESC LIMIT ?`, append(args, limit)
}
