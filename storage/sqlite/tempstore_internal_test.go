package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// The writer keeps its statement journals (one per group-commit write's
// savepoint) in memory, not in a temporary file (decision 54), also after
// a transaction of its own; the readers keep SQLite's default.
func TestWriterKeepsTemporaryStorageInMemory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "desk.db"))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	tempStore := func(db interface {
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}) int {
		var v int
		require.NoError(t, db.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&v))
		return v
	}
	const memory = 2
	require.Equal(t, memory, tempStore(s.write))
	require.NoError(t, s.withOwnTx(ctx, func(tx *writeTx) error {
		require.Equal(t, memory, tempStore(tx))
		return nil
	}))
	require.Zero(t, tempStore(s.read))
}
