package pgtest_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"depositdesk/internal/pgtest"
)

func TestMain(m *testing.M) {
	pgtest.Main(m, func(ctx context.Context, url string) error {
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, `CREATE TABLE marker (v TEXT); INSERT INTO marker VALUES ('from template')`)
		return err
	})
}

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestNewDatabaseStartsAsACopyOfTheTemplate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, b := connect(t, pgtest.NewDatabase(t)), connect(t, pgtest.NewDatabase(t))
	var v string
	require.NoError(t, a.QueryRow(ctx, `SELECT v FROM marker`).Scan(&v))
	require.Equal(t, "from template", v)

	_, err := a.Exec(ctx, `INSERT INTO marker VALUES ('only in a')`)
	require.NoError(t, err)
	var n int
	require.NoError(t, b.QueryRow(ctx, `SELECT count(*) FROM marker`).Scan(&n))
	require.Equal(t, 1, n, "databases are independent")
}

func TestNewEmptyDatabaseHasNoTables(t *testing.T) {
	t.Parallel()
	conn := connect(t, pgtest.NewEmptyDatabase(t))
	var n int
	require.NoError(t, conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&n))
	require.Zero(t, n)
}

func TestDatabaseIsDroppedWhenItsTestEnds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var name string
	t.Run("UsesADatabase", func(t *testing.T) {
		conn := connect(t, pgtest.NewDatabase(t))
		require.NoError(t, conn.QueryRow(ctx, `SELECT current_database()`).Scan(&name))
	})
	conn := connect(t, pgtest.NewDatabase(t))
	var n int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM pg_database WHERE datname = $1`, name).Scan(&n))
	require.Zero(t, n, "database %s still exists", name)
}

func TestTerminateBackendsEndsOnlyTheNamedSessions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	named := func(name string) *pgx.Conn {
		cfg, err := pgx.ParseConfig(url)
		require.NoError(t, err)
		cfg.RuntimeParams["application_name"] = name
		conn, err := pgx.ConnectConfig(ctx, cfg)
		require.NoError(t, err)
		t.Cleanup(func() { conn.Close(ctx) })
		return conn
	}
	doomed, spared := named("doomed"), named("spared")
	require.Len(t, pgtest.BackendPIDs(t, url, "doomed"), 1)
	require.Empty(t, pgtest.BackendPIDs(t, pgtest.NewDatabase(t), "doomed"), "another database's sessions are not counted")

	require.Equal(t, 1, pgtest.TerminateBackends(t, url, "doomed"))
	require.Error(t, doomed.Ping(ctx))
	require.NoError(t, spared.Ping(ctx))
}

func TestStartServerRunsAServerUntilStopped(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url, stop, err := pgtest.StartServer()
	require.NoError(t, err)
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	require.NoError(t, conn.Ping(ctx))
	require.NoError(t, conn.Close(ctx))
	stop()
	_, err = pgx.Connect(ctx, url)
	require.Error(t, err, "the server is gone once stopped")
}
