package sqlite_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/storage/sqlite"
)

// Another desk (or depositctl serve) on the same file commits: the
// watching desk hears of it within a few looks; nothing committed, nothing
// heard; the desk's own commits are heard too (its writer is another
// connection), so its pages refresh whoever wrote.
func TestWatchChangesHearsEveryCommitToTheFile(t *testing.T) {
	t.Parallel()
	desk, path := open(t)
	other, err := sqlite.Open(context.Background(), path)
	require.NoError(t, err)
	defer other.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var heard atomic.Int64
	done := make(chan error)
	go func() { done <- desk.WatchChanges(ctx, 5*time.Millisecond, func() { heard.Add(1) }) }()

	require.Eventually(t, func() bool { return heard.Load() == 1 }, 5*time.Second, 5*time.Millisecond, "once it watches")
	time.Sleep(50 * time.Millisecond)
	require.EqualValues(t, 1, heard.Load(), "nothing was committed")
	audit := core.AuditEntry{At: time.Now(), Actor: "admin", Action: "customer.create", Entity: "customer"}
	require.NoError(t, other.CreateCustomer(ctx, &core.Customer{CustomerNo: "C1", SecuritiesAccount: "SA1", Name: "A"}, audit))
	require.Eventually(t, func() bool { return heard.Load() == 2 }, 5*time.Second, 5*time.Millisecond, "another store's commit")
	require.NoError(t, desk.CreateCustomer(ctx, &core.Customer{CustomerNo: "C2", SecuritiesAccount: "SA2", Name: "B"}, audit))
	require.Eventually(t, func() bool { return heard.Load() == 3 }, 5*time.Second, 5*time.Millisecond, "its own commit")
	_, err = rawDB(t, path).Exec(`UPDATE customers SET name = 'C' WHERE customer_no = 'C1'`)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return heard.Load() == 4 }, 5*time.Second, 5*time.Millisecond, "a write behind the desk's back")
	cancel()
	require.NoError(t, <-done, "it ends with its context")
}
