package sqlite

import "depositdesk/core"

// SearchSQL returns the exact statement and arguments FindDeposits runs for
// f, so benchmarks can run the very same query through the sqlite3 CLI.
func SearchSQL(f core.DepositFilter) (string, []any) {
	return searchSQL(f, f.PageSize()+1)
}
