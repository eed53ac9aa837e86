package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"depositdesk/storage/postgres"
)

// A pipelined transaction that returns without COMMIT is an error and is
// rolled back: no later caller's statements run inside it.
func TestAPipelinedTransactionLeftOpenIsRolledBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := open(t)
	err := postgres.PipelinedTx(s, ctx, func(conn *pgxpool.Conn) error {
		_, err := conn.Exec(ctx, `BEGIN`)
		return err
	})
	require.ErrorContains(t, err, "left open")
	for range 8 { // more than the pool holds
		require.NoError(t, postgres.PipelinedTx(s, ctx, func(conn *pgxpool.Conn) error {
			require.Equal(t, byte('I'), conn.Conn().PgConn().TxStatus(), "a connection came back inside a transaction")
			return nil
		}))
	}
}
