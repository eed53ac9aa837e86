package watcher_test

import (
	"context"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/watcher"
)

// spyStore counts the watcher's whole reads of the open set and lets a test
// act just before a transition reaches the store, as another writer would.
type spyStore struct {
	core.Store
	mu          sync.Mutex
	wholeReads  int
	beforeMoveF func(t core.DepositTransition)
}

func (s *spyStore) FindWatchedDepositChanges(ctx context.Context, n core.Network, since *core.WatchMark) ([]*core.WatchedDeposit, core.WatchMark, error) {
	if since == nil {
		s.mu.Lock()
		s.wholeReads++
		s.mu.Unlock()
	}
	return s.Store.FindWatchedDepositChanges(ctx, n, since)
}

func (s *spyStore) TransitionDeposit(ctx context.Context, t core.DepositTransition) (*core.DepositRecord, error) {
	if f := s.beforeMoveF; f != nil {
		s.beforeMoveF = nil
		f(t)
	}
	return s.Store.TransitionDeposit(ctx, t)
}

func spyOn(d *desk) *spyStore {
	s := &spyStore{Store: d.store}
	d.w.Store = s
	return s
}

func TestOpenSetIsReadWholeOnlyAtStartAndWhenAnAssetChanges(t *testing.T) {
	d := newDesk(t)
	spy := spyOn(d)
	d.step()
	rec := d.submit() // between passes, by the intake
	d.chain.broadcast(payment(rec))
	d.chain.mine(1)
	d.step()
	require.Equal(t, core.StatusConfirming, d.record(rec).Status, "a record created between passes is picked up by the next")
	require.Equal(t, 1, spy.wholeReads)

	as, err := d.store.FindAssets(context.Background(), core.AssetFilter{})
	require.NoError(t, err)
	confs := 2
	_, err = d.svc.UpdateAsset(d.admin, as[0].ID, core.AssetUpdate{ConfirmationsRequired: &confs})
	require.NoError(t, err)
	d.chain.mine(1)
	d.step()
	require.Equal(t, 2, spy.wholeReads, "an asset changed: the set is read whole again")
	d.chain.mine(1)
	d.step()
	require.Equal(t, core.StatusCredited, d.record(rec).Status)
	require.Equal(t, 2, spy.wholeReads)

	// A restart (or a new lease) starts from the store, not from a copy.
	again := &watcher.Watcher{Network: regtest, Chain: d.chain, Store: spy}
	_, err = again.Step(context.Background())
	require.NoError(t, err)
	require.Equal(t, 3, spy.wholeReads)
}

func TestARecordChangedBehindTheWatchersBackIsNeverMovedFromItsOldStatus(t *testing.T) {
	d := newDesk(t)
	spy := spyOn(d)
	d.step()
	rec := d.submit()
	d.step() // the watcher now holds rec as Wallet Address Under Verification
	d.chain.broadcast(payment(rec))
	d.chain.mine(1)
	// An operator cancels it after the pass read its changes and before
	// the watcher's move: the copy is stale.
	spy.beforeMoveF = func(core.DepositTransition) {
		_, err := d.store.TransitionDeposit(context.Background(), core.DepositTransition{ID: rec.ID, From: core.StatusVerifying,
			To: core.StatusCancelled, Remarks: "customer withdrew the application", Audit: core.AuditEntry{At: time.Now(),
				Actor: "admin", Action: "deposit.cancel", Entity: "deposit", EntityID: rec.RecordNo,
				Before: string(core.StatusVerifying), After: string(core.StatusCancelled)}})
		require.NoError(t, err)
	}
	rep := d.step()
	require.Zero(t, rep.Transitions)
	require.Zero(t, rep.Failed, "a lost race is not a failure")
	require.Equal(t, core.StatusCancelled, d.record(rec).Status, "the guarded UPDATE refused the stale move")

	// The next pass learns of the cancellation and leaves the record alone.
	d.chain.mine(1)
	before := d.chain.totalCalls()
	rep = d.step()
	require.Zero(t, rep.Checked)
	require.Equal(t, 2, d.chain.totalCalls()-before, "head and the new block only")
	require.Equal(t, core.StatusCancelled, d.record(rec).Status)
}

func TestARecordReleasedFromReviewIsLookedUpAgain(t *testing.T) {
	d := newDesk(t)
	d.step()
	rec := d.submit()
	tx := payment(rec)
	tx.Transfers[0].Amount = big.NewInt(1_400_000) // pays less than announced
	d.chain.broadcast(tx)
	d.chain.mine(1)
	d.step()
	require.Equal(t, core.StatusHeld, d.record(rec).Status)

	_, err := d.svc.DecideHeld(d.admin, rec.RecordNo, true, "short payment accepted by the customer's agreement")
	require.NoError(t, err)
	d.chain.mine(2)
	rep := d.step()
	require.Equal(t, 1, rep.Checked, "the released record is new to the watcher's copy")
	require.Equal(t, core.StatusCredited, d.record(rec).Status)
}
