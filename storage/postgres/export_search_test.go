package postgres

import "depositdesk/core"

// CountQuery lets the plan test explain the count the store runs.
func CountQuery(f core.DepositFilter, limit int) (string, []any) { return countQuery(f, limit) }

// SearchQuery lets the plan test explain the page the store reads.
func SearchQuery(f core.DepositFilter) (string, []any) { return searchQuery(f) }
