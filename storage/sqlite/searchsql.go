package sqlite

import "depositdesk/core"

// SearchSQL returns the exact statement and arguments FindDeposits runs for
// f, so benchmarks can run the very same query through the sqlite3 CLI.
func SearchSQL(f core.DepositFilter) (string, []any) {
	limit := f.Limit
	if limit <= 0 {
		limit = core.DefaultPageSize
	}
	return searchSQL(f, min(limit, core.MaxPageSize)+1)
}
