package ui

import (
	"testing"

	"depositdesk/internal/pgtest"
)

// The desk's pages run on SQLite in most tests; live updates are tested on
// a throwaway Postgres server too.
func TestMain(m *testing.M) { pgtest.Main(m, pgtest.Migrate) }
