package sqlite

import (
	"context"

	"depositdesk/core"
)

// Statement is one SQL statement with its arguments.
type Statement struct {
	SQL  string
	Args []any
}

// SearchSQL returns the exact statements FindDeposits runs for f, in
// order, so benchmarks can run the very same queries through the sqlite3
// CLI: for a prefix search the look-ups that choose the plan (searchPlan:
// the prefix's values, the count of its range), then the page's query.
func (s *Store) SearchSQL(ctx context.Context, f core.DepositFilter) ([]Statement, error) {
	pl, err := searchPlan(ctx, preparedReader{s}, f)
	if err != nil {
		return nil, err
	}
	var out []Statement
	if p := prefixOf(f); p != nil && f.ID == nil {
		if p.mergeable {
			q, args := prefixValuesSQL(p, mergeMax+1)
			out = append(out, Statement{q, args})
		}
		if pl.merge == nil {
			where, args := p.where()
			q, args := countSQL(p.index, where, args, prefixSortMax+1)
			out = append(out, Statement{q, args})
		}
	}
	query, args := searchSQL(f, pl, f.PageSize()+1)
	return append(out, Statement{query, args}), nil
}

// CountSQL returns the exact statements CountDeposits runs for a validated
// f up to limit, in order: the counts that choose the index (countIndex,
// which runs them, as the second's cap depends on the first's count), then
// the count.
func (s *Store) CountSQL(ctx context.Context, f core.DepositFilter, limit int) ([]Statement, error) {
	f.After = nil
	ix, out, err := countIndex(ctx, preparedReader{s}, f, limit)
	if err != nil {
		return nil, err
	}
	where, args := searchWhere(f)
	query, args := countSQL(ix, where, args, limit+1)
	return append(out, Statement{query, args}), nil
}
