package postgres

import (
	"context"

	"depositdesk/core"
)

// CountQuery lets the plan test explain the count the store runs.
func CountQuery(f core.DepositFilter, limit int) (string, []any) { return countQuery(f, limit) }

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
