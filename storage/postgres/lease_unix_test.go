//go:build unix

package postgres_test

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/internal/pgtest"
	"depositdesk/storage/postgres"
)

// A lock session that stops answering, as behind a network gone silent
// (here its server process is stopped), is lost once a ping has waited its
// second in vain; the lock is free again when the session ends.
func TestWatcherLeaseIsLostWhenItsSessionStopsAnswering(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, url := open(t)
	regtest := core.Network{Chain: core.ChainBitcoin, Name: "regtest"}
	lease, err := s.TryLockWatcher(ctx, regtest)
	require.NoError(t, err)
	defer lease.Release()
	pids := pgtest.BackendPIDs(t, url, postgres.WatcherLockApplication(regtest))
	require.Len(t, pids, 1)
	resume := func() { _ = syscall.Kill(pids[0], syscall.SIGCONT) }
	t.Cleanup(resume)

	require.NoError(t, syscall.Kill(pids[0], syscall.SIGSTOP))
	stopped := time.Now()
	select {
	case <-lease.Lost():
	case <-time.After(guard):
		t.Fatal("the holder never noticed")
	}
	took := time.Since(stopped)
	resume()
	t.Logf("lease lost %v after its session stopped answering", took.Round(time.Millisecond))
	require.GreaterOrEqual(t, took, time.Second, "an unanswered ping is given a second")
	require.Less(t, took, detectBound)

	require.Eventually(t, func() bool {
		next, err := s.TryLockWatcher(ctx, regtest)
		if err == nil {
			next.Release()
		}
		return err == nil
	}, guard, 100*time.Millisecond, "the lock stays taken after its session ended")
}
