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
// exception is a narrow prefix (searchPlan), whose own range is read from
// its index and sorted.
func (s *Store) FindDeposits(ctx context.Context, f core.DepositFilter) (core.DepositPage, error) {
	return findDeposits(ctx, preparedReader{s}, f)
}

// recordBlock is how many records findDeposits allocates at a time.
const recordBlock = 64

func findDeposits(ctx context.Context, q queryer, f core.DepositFilter) (core.DepositPage, error) {
	pl, err := searchPlan(ctx, q, f)
	if err != nil {
		return core.DepositPage{}, err
	}
	query, args := searchSQL(f, pl, f.PageSize()+1)
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return core.DepositPage{}, fmt.Errorf("find deposits: %w", err)
	}
	defer rows.Close()
	want := f.PageSize() + 1
	recs := make([]*core.DepositRecord, 0, want)
	row := newDepositRow()
	// Records are allocated in blocks, not one by one: a page of 50 (and
	// its one more) is one allocation.
	var block []core.DepositRecord
	for rows.Next() {
		if len(block) == 0 {
			block = make([]core.DepositRecord, max(1, min(want-len(recs), recordBlock)))
		}
		d := &block[0]
		block = block[1:]
		if err := row.scan(rows, d); err != nil {
			return core.DepositPage{}, err
		}
		recs = append(recs, d)
	}
	if err := rows.Err(); err != nil {
		return core.DepositPage{}, fmt.Errorf("find deposits: %w", err)
	}
	return f.Page(recs), nil
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
	conds, args := searchConds(f)
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// searchConds are the conditions of f, cursor included.
func searchConds(f core.DepositFilter) ([]string, []any) {
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
	return where, args
}

func sortColumn(f core.DepositFilter) string {
	if f.Order.ByRequest() {
		return "d.requested_at"
	}
	return "d.created_at"
}

// searchSQL builds the query of a search read as pl says, returning at
// most limit rows. The CROSS JOIN keeps deposits the outer loop (SQLite
// never reorders a CROSS JOIN), so the asset lookup cannot turn the
// ordered index scan into a sort. A sorted plan sorts only the ids and
// sort times of its range, from the index, and reads the page's rows by
// id: sorting whole rows cost 8 µs a row.
func searchSQL(f core.DepositFilter, pl plan, limit int) (string, []any) {
	if pl.merge != nil {
		return mergeSQL(f, pl, limit)
	}
	where, args := searchWhere(f)
	order := ` ORDER BY ` + sortColumn(f) + ` DESC, d.id DESC`
	// LIMIT is a parameter so the statement text depends only on which
	// filters are set, and prepared statements can be reused.
	if pl.sorted {
		return `SELECT ` + depositColumns + ` FROM deposits d CROSS JOIN assets a ON a.id = d.asset_id WHERE d.id IN (SELECT d.id FROM deposits d` +
			indexedBy(pl.index) + where + order + ` LIMIT ?)` + order, append(args, limit)
	}
	return `SELECT ` + depositColumns + ` FROM deposits d` + indexedBy(pl.index) + ` CROSS JOIN assets a ON a.id = d.asset_id` + where +
		order + ` LIMIT ?`, append(args, limit)
}

// mergeSQL reads each of pl.merge's values from pl.index in order, one arm
// of a compound SELECT each, which SQLite merges (MERGE (UNION ALL)) and
// stops after limit rows. The arms carry only the sort time and the id —
// from the index alone when it holds the other filters' columns, as the
// customer indexes do — and the page's rows are read by id after the
// merge, in its order, which satisfies the ORDER BY (no sort). Merging
// whole rows decoded a row more per value and copied every row's 28
// columns through each level of the merge (decision 61).
//
// The value is compared as +? and the limit is written in the text (the
// page size, a handful of texts) so that the cached statement is not
// prepared again on every run: SQLite marks a statement for re-preparing
// when its plan looked at a bound value (a LIMIT's, or one compared by =,
// which its row estimates read), and the driver clears the bindings
// before each run, which expires a marked statement (decision 61).
func mergeSQL(f core.DepositFilter, pl plan, limit int) (string, []any) {
	col := "d.customer_no"
	if f.CustomerNo == nil {
		col = "d.securities_account"
	}
	rest := f
	if f.CustomerNo != nil {
		rest.CustomerNo = nil
	} else {
		rest.SecuritiesAccount = nil
	}
	conds, restArgs := searchConds(rest)
	arm := `SELECT ` + sortColumn(f) + ` AS t, d.id AS id FROM deposits d INDEXED BY ` + pl.index + ` WHERE ` +
		strings.Join(append([]string{col + " = +?"}, conds...), " AND ")
	arms, args := make([]string, len(pl.merge)), []any{}
	for i, v := range pl.merge {
		arms[i] = arm
		args = append(append(args, v), restArgs...)
	}
	return `SELECT ` + depositColumns + ` FROM (` + strings.Join(arms, " UNION ALL ") + fmt.Sprintf(` ORDER BY 1 DESC, 2 DESC LIMIT %d) m`, limit) +
		` CROSS JOIN deposits d ON d.id = m.id CROSS JOIN assets a ON a.id = d.asset_id ORDER BY m.t DESC, m.id DESC`, args
}
