package postgres_test

import (
	"context"
	"database/sql"
	"io/fs"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/storage/migrations"
	"depositdesk/storage/postgres"
	"depositdesk/storage/storetest"
)

func TestMigrationTakesTheSubmitterOfEarlierRecordsFromTheirCreation(t *testing.T) {
	t.Parallel()
	s, url := open(t)
	storetest.RunSubmitterMigration(t, s, func(t *testing.T) core.Store {
		ctx := context.Background()
		s.Close()
		raw, err := sql.Open("pgx", url)
		require.NoError(t, err)
		defer raw.Close()
		sub, err := fs.Sub(migrations.Postgres, "postgres")
		require.NoError(t, err)
		p, err := goose.NewProvider(goose.DialectPostgres, raw, sub)
		require.NoError(t, err)
		_, err = p.DownTo(ctx, 15)
		require.NoError(t, err)
		again, err := postgres.Open(ctx, url)
		require.NoError(t, err)
		t.Cleanup(func() { again.Close() })
		return again
	})
}
