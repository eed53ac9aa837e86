// Package migrations holds the schema of each storage engine as embedded
// goose migrations, applied when a store opens.
package migrations

import "embed"

// SQLite is the schema of storage/sqlite.
//
//go:embed sqlite/*.sql
var SQLite embed.FS
