package sqlite

import (
	"context"
	"fmt"
	"strings"

	"depositdesk/core"
)

// FindDeposits implements core.Store. The page is read in order straight off
// one index ending in (created_at, id), backwards for newest first, so it
// stops after Limit+1 rows whatever the table size; the cursor and a
// created-time range bound the same index scan.
func (s *Store) FindDeposits(ctx context.Context, f core.DepositFilter) (core.DepositPage, error) {
	return findDeposits(ctx, preparedReader{s}, f)
}

func findDeposits(ctx context.Context, q queryer, f core.DepositFilter) (core.DepositPage, error) {
	size := f.PageSize()
	query, args := searchSQL(f, size+1)
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
	return core.NewDepositPage(recs, size), nil
}

// searchIndex names the index a search reads, from the most selective
// filter present. Without statistics SQLite counts equality columns and
// would prefer (status, asset_id, …) — a third of the table — over one
// customer's few hundred rows; with statistics the choice depends on when
// ANALYZE last ran. Naming the index makes every plan the one measured in
// docs/storage.md. "" lets SQLite use the rowid for an id lookup.
func searchIndex(f core.DepositFilter) string {
	switch {
	case f.ID != nil:
		return ""
	case f.RecordNo != nil:
		return "deposits_record_no"
	case f.TxID != nil:
		return "deposits_txid"
	case f.CustomerNo != nil:
		return "deposits_customer"
	case f.SecuritiesAccount != nil:
		return "deposits_account"
	case f.Status != nil && f.AssetID != nil:
		return "deposits_status_asset"
	case f.Status != nil:
		return "deposits_status"
	case f.AssetID != nil:
		return "deposits_asset"
	}
	return "deposits_created"
}

// searchSQL builds the query of a search returning at most limit rows. The
// CROSS JOIN keeps deposits the outer loop (SQLite never reorders a CROSS
// JOIN), so the asset lookup cannot turn the ordered index scan into a sort.
func searchSQL(f core.DepositFilter, limit int) (string, []any) {
	where, args := []string{}, []any{}
	add := func(cond string, vals ...any) { where, args = append(where, cond), append(args, vals...) }
	if f.ID != nil {
		add("d.id = ?", *f.ID)
	}
	if f.RecordNo != nil {
		add("d.record_no = ?", *f.RecordNo)
	}
	if f.CustomerNo != nil {
		add("d.customer_no = ?", *f.CustomerNo)
	}
	if f.SecuritiesAccount != nil {
		add("d.securities_account = ?", *f.SecuritiesAccount)
	}
	if f.Status != nil {
		add("d.status = ?", string(*f.Status))
	}
	if f.AssetID != nil {
		add("d.asset_id = ?", *f.AssetID)
	}
	if f.TxID != nil {
		// Stored hashes are canonical, bare hex on Bitcoin and 0x-prefixed on
		// Ethereum, so their last 64 characters are the filter's hex: the same
		// rows as txid IN (?, '0x' || ?), but one equality on the expression
		// index, which keeps the (created_at, id) order.
		add("substr(d.txid, -64) = ?", *f.TxID)
	}
	if f.CreatedFrom != nil {
		add("d.created_at >= ?", micros(*f.CreatedFrom))
	}
	if f.CreatedTo != nil {
		add("d.created_at < ?", micros(*f.CreatedTo))
	}
	if f.After != nil {
		// (created_at, id) < cursor, written so that "created_at <= ?" is a
		// plain upper bound of the index range and the rest a cheap filter.
		at := micros(f.After.CreatedAt)
		add("d.created_at <= ? AND (d.created_at < ? OR d.id < ?)", at, at, f.After.ID)
	}
	from := " FROM deposits d"
	if ix := searchIndex(f); ix != "" {
		from += " INDEXED BY " + ix
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	// LIMIT is a parameter so the statement text depends only on which
	// filters are set, and prepared statements can be reused.
	return `SELECT ` + depositColumns + from + ` CROSS JOIN assets a ON a.id = d.asset_id` + cond +
		` ORDER BY d.created_at DESC, d.id DESC LIMIT ?`, append(args, limit)
}
