package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

// leaseGuard bounds waits for a lease to end; Postgres waits out a
// previous holder for a few seconds before it hands a lease out.
const leaseGuard = 10 * time.Second

func runWatcherLeases(t *testing.T, newStore NewStoreFunc) {
	btcMain := core.Network{Chain: core.ChainBitcoin, Name: "mainnet"}
	locker := func(t *testing.T) core.WatcherLocker {
		s := newStore(t)
		l, ok := s.(core.WatcherLocker)
		require.True(t, ok, "%T hands out no watcher leases", s)
		return l
	}
	mustLock := func(t *testing.T, l core.WatcherLocker, ctx context.Context, n core.Network) core.WatcherLease {
		t.Helper()
		lease, err := l.TryLockWatcher(ctx, n)
		require.NoError(t, err, "%s", n)
		t.Cleanup(lease.Release)
		return lease
	}
	requireEnded := func(t *testing.T, lease core.WatcherLease) {
		t.Helper()
		select {
		case <-lease.Lost():
		case <-time.After(leaseGuard):
			t.Fatal("the lease still holds")
		}
	}

	// Each claim on Postgres waits out a previous holder for seconds, so
	// the cases claim as few times as their rule needs.
	t.Run("OneHolderPerNetworkUntilReleased", func(t *testing.T) {
		t.Parallel()
		l := locker(t)
		lease := mustLock(t, l, context.Background(), btcMain)
		_, err := l.TryLockWatcher(context.Background(), btcMain)
		require.ErrorIs(t, err, core.ErrWatcherLocked)
		select {
		case <-lease.Lost():
			t.Fatal("a refused claim ended the holder's lease")
		default:
		}
		lease.Release()
		requireEnded(t, lease)
		lease.Release() // again: nothing to do
		mustLock(t, l, context.Background(), btcMain)
	})
	t.Run("NetworksAreClaimedApart", func(t *testing.T) {
		t.Parallel()
		l := locker(t)
		// Ethereum's mainnet shares the name, not the network. All three
		// are held at once in the end, whatever order the claims took.
		networks := []core.Network{btcMain, {Chain: core.ChainEthereum, Name: "mainnet"}, {Chain: core.ChainBitcoin, Name: "regtest"}}
		errs := make([]error, len(networks))
		var wg sync.WaitGroup
		for i, n := range networks {
			wg.Go(func() {
				var lease core.WatcherLease
				if lease, errs[i] = l.TryLockWatcher(context.Background(), n); errs[i] == nil {
					t.Cleanup(lease.Release)
				}
			})
		}
		wg.Wait()
		for i, err := range errs {
			require.NoError(t, err, "%s", networks[i])
		}
	})
	t.Run("LeaseEndsWithItsContext", func(t *testing.T) {
		t.Parallel()
		l := locker(t)
		ctx, cancel := context.WithCancel(context.Background())
		lease := mustLock(t, l, ctx, btcMain)
		cancel()
		requireEnded(t, lease)
		require.Eventually(t, func() bool {
			next, err := l.TryLockWatcher(context.Background(), btcMain)
			if err == nil {
				next.Release()
			}
			return err == nil
		}, leaseGuard, 50*time.Millisecond, "a lease that ended frees its network")
	})
}
