package sqlite_test

import (
	"context"
	"io/fs"
	"testing"

	"github.com/pressly/goose/v3"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/storage/migrations"
	"depositdesk/storage/sqlite"
	"depositdesk/storage/storetest"
)

func TestMigrationTakesTheSubmitterOfEarlierRecordsFromTheirCreation(t *testing.T) {
	t.Parallel()
	s, path := open(t)
	storetest.RunSubmitterMigration(t, s, func(t *testing.T) core.Store {
		ctx := context.Background()
		require.NoError(t, s.Close())
		raw := rawDB(t, path)
		sub, err := fs.Sub(migrations.SQLite, "sqlite")
		require.NoError(t, err)
		p, err := goose.NewProvider(goose.DialectSQLite3, raw, sub)
		require.NoError(t, err)
		_, err = p.DownTo(ctx, 15)
		require.NoError(t, err)
		require.NoError(t, raw.Close())
		again, err := sqlite.Open(ctx, path)
		require.NoError(t, err)
		t.Cleanup(func() { again.Close() })
		return again
	})
}
