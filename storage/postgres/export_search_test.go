package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"depositdesk/core"
)

// CountQuery lets the plan test explain the count the store runs.
func CountQuery(f core.DepositFilter, limit int) (string, []any) {
	q, args, _ := countQuery(f, limit)
	return q, args
}

// PageQuery lets the plan test read the page the store reads for a filter
// without a prefix.
func PageQuery(f core.DepositFilter) (string, []any) { return searchQuery(f, nil) }

// SearchQuery lets the plan test explain the page the store reads: its
// values looked up first when it reads a prefix value by value.
func (s *Store) SearchQuery(ctx context.Context, f core.DepositFilter) (string, []any, error) {
	m, err := planMerge(ctx, s.pool, f)
	if err != nil {
		return "", nil, err
	}
	q, args := searchQuery(f, m)
	return q, args, nil
}

// CountPlans is how Postgres planned one deposit count held prepared on a
// connection of the store: its runs with a plan of their own and with the
// statement's generic plan.
type CountPlans struct {
	SQL             string
	Custom, Generic int64
}

// CountPlans returns the plans of every deposit count held prepared on the
// store's idle connections.
func (s *Store) CountPlans(ctx context.Context) ([]CountPlans, error) {
	var out []CountPlans
	for _, p := range []*pgxpool.Pool{s.pool, s.counts} {
		for _, c := range p.AcquireAllIdle(ctx) {
			rows, err := c.Query(ctx, `SELECT statement, custom_plans, generic_plans FROM pg_prepared_statements
				WHERE strpos(statement, $1) > 0`, "SELECT count(*) FROM (SELECT 1 FROM deposits d")
			if err == nil {
				var got []CountPlans
				got, err = pgx.CollectRows(rows, pgx.RowToStructByPos[CountPlans])
				out = append(out, got...)
			}
			c.Release()
			if err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
