package sqlite

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAFullStatementCacheRunsQueriesUnprepared(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "desk.db"))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	r := preparedReader{s}
	for i := range maxPrepared + 5 {
		var got int
		require.NoError(t, r.QueryRowContext(ctx, "SELECT "+strconv.Itoa(i)).Scan(&got))
		require.Equal(t, i, got)
	}
	rows, err := r.QueryContext(ctx, "SELECT 'past the cache'")
	require.NoError(t, err)
	require.True(t, rows.Next())
	require.NoError(t, rows.Close())
	require.Len(t, s.stmts.m, maxPrepared, "the cache holds what it can close, nothing more")
}

func TestReadConnectionsAreKeptBetweenReads(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "desk.db"))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	r := preparedReader{s}
	for range 20 {
		// readConns reads at once, each holding its connection until all
		// have one, then all released together.
		var rows [readConns]interface{ Close() error }
		for i := range readConns {
			rs, err := r.QueryContext(ctx, "SELECT 1")
			require.NoError(t, err)
			rows[i] = rs
		}
		for _, rs := range rows {
			require.NoError(t, rs.Close())
		}
	}
	st := s.read.Stats()
	require.Zero(t, st.MaxIdleClosed, "a released read connection was closed, so the next read opened a new one")
	require.Equal(t, readConns, st.OpenConnections)
}
