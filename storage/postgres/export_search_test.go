package postgres

import "depositdesk/core"

// CountQuery lets the plan test explain the count the store runs.
func CountQuery(f core.DepositFilter, limit int) (string, []any) { return countQuery(f, limit) }
