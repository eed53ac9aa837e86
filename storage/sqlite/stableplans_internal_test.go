package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/mattn/go-sqlite3"
	"github.com/stretchr/testify/require"
)

// Every connection of the store's writer and read pools, mapped or not,
// plans a statement from its text alone (decision 64); a plain mattn
// connection does not, so the check can tell.
func TestEveryConnectionPlansOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	guarantee := func(db *sql.DB) int {
		c, err := db.Conn(ctx)
		require.NoError(t, err)
		defer c.Close()
		var on int
		require.NoError(t, c.Raw(func(dc any) error {
			var err error
			on, err = stablePlans(dc.(*sqlite3.SQLiteConn), -1)
			return err
		}))
		return on
	}
	dir := t.TempDir()
	for _, mapped := range []bool{false, true} {
		s, err := OpenWith(ctx, filepath.Join(dir, "desk.db"), Options{Mapped: mapped})
		require.NoError(t, err)
		require.Equal(t, 1, guarantee(s.write), "writer, mapped %v", mapped)
		require.Equal(t, 1, guarantee(s.read), "reader, mapped %v", mapped)
		require.NoError(t, s.Close())
	}
	plain, err := sql.Open("sqlite3", filepath.Join(dir, "desk.db"))
	require.NoError(t, err)
	defer plain.Close()
	require.Zero(t, guarantee(plain))
}
