package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/internal/pgtest"
	"depositdesk/storage/postgres"
)

// detectBound is how soon after its session ends a holder must know: a
// ping a second after the last good one, given a second to answer, and
// slack for a loaded test machine.
const detectBound = 3 * time.Second

// Killing the lock's session (as an operator or a failing network would)
// frees the lock at once; the holder learns of it from its next ping, and
// a desk that takes the lock meanwhile follows only after the old holder
// has stopped.
func TestWatcherLeaseIsLostWhenItsSessionEnds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	leader, url := open(t)
	standby, err := postgres.Open(ctx, url)
	require.NoError(t, err)
	t.Cleanup(func() { standby.Close() })
	regtest := core.Network{Chain: core.ChainBitcoin, Name: "regtest"}

	held, err := leader.TryLockWatcher(ctx, regtest)
	require.NoError(t, err)
	defer held.Release()
	_, err = standby.TryLockWatcher(ctx, regtest)
	require.ErrorIs(t, err, core.ErrWatcherLocked)

	killed := time.Now()
	require.Equal(t, 1, pgtest.TerminateBackends(t, url, postgres.WatcherLockApplication(regtest)))
	type claim struct {
		lease core.WatcherLease
		err   error
		at    time.Time
	}
	took := make(chan claim, 1)
	go func() {
		// The session is gone, so the lock is free now, well before the
		// leader can know.
		next, err := standby.TryLockWatcher(ctx, regtest)
		took <- claim{next, err, time.Now()}
	}()

	select {
	case <-held.Lost():
	case <-time.After(guard):
		t.Fatal("the leader never noticed")
	}
	lost := time.Now()
	t.Logf("lease lost %v after its session was killed", lost.Sub(killed).Round(time.Millisecond))
	require.Less(t, lost.Sub(killed), detectBound)
	next := <-took
	require.NoError(t, next.err)
	defer next.lease.Release()
	t.Logf("standby's lease handed out %v after the kill, %v after the leader knew",
		next.at.Sub(killed).Round(time.Millisecond), next.at.Sub(lost).Round(time.Millisecond))
	require.True(t, next.at.After(lost), "the standby's lease came before the leader stopped")
}
