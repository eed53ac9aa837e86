package sqlite_test

import (
	"context"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/storage/storetest"
)

// The change mark stands still while nothing commits, and moves with a
// commit made through the store, through another connection, and by
// another process (the sqlite3 CLI), which is what lets core keep an
// operator it read under it.
func TestChangeMarkMovesWithEveryCommitFromAnywhere(t *testing.T) {
	t.Parallel()
	s, path := open(t)
	mark := func() string {
		t.Helper()
		m, ok := s.ChangeMark()
		require.True(t, ok, "a WAL database has a change mark")
		return m
	}
	m := mark()
	_, err := s.FindOperators(context.Background(), core.OperatorFilter{})
	require.NoError(t, err)
	require.Equal(t, m, mark(), "a read commits nothing")

	storetest.MustCreateOperator(t, s, "alice", core.PermDepositRecords)
	require.NotEqual(t, m, mark(), "a commit through the store")
	m = mark()

	_, err = rawDB(t, path).Exec(`UPDATE operators SET disabled = 1 WHERE name = 'alice'`)
	require.NoError(t, err)
	require.NotEqual(t, m, mark(), "a commit through another connection")
	m = mark()

	sqlite3, err := exec.LookPath("sqlite3")
	require.NoError(t, err, "the sqlite3 CLI (make deps) plays the other process")
	out, err := exec.Command(sqlite3, path, `UPDATE operators SET disabled = 0 WHERE name = 'alice';`).CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.NotEqual(t, m, mark(), "a commit by another process")
}

// An operator disabled by another process (here the sqlite3 CLI, as an
// administrator's depositctl would) is refused at the next search of a
// desk that has just searched as them.
func TestOperatorDisabledByAnotherProcessIsRefusedAtTheNextSearch(t *testing.T) {
	t.Parallel()
	s, path := open(t)
	clerk := storetest.MustCreateOperator(t, s, "clerk", core.PermDepositRecords)
	svc := core.NewService(s)
	ctx := core.NewContextWithOperator(context.Background(), clerk)
	for range 2 {
		_, err := svc.CountDeposits(ctx, core.DepositFilter{Prefix: true})
		require.NoError(t, err)
	}
	sqlite3, err := exec.LookPath("sqlite3")
	require.NoError(t, err)
	out, err := exec.Command(sqlite3, path, `UPDATE operators SET disabled = 1 WHERE name = 'clerk';`).CombinedOutput()
	require.NoError(t, err, "%s", out)
	_, err = svc.CountDeposits(ctx, core.DepositFilter{Prefix: true})
	require.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err), "%v", err)
}
