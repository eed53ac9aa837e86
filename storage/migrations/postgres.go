package migrations

import "embed"

// Postgres is the schema of storage/postgres.
//
//go:embed postgres/*.sql
var Postgres embed.FS
