package watcher_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/watcher"
)

// witnessChain is a second node of the same network: it serves the
// followed chain's blocks, except that it may lag behind by some blocks,
// claim another hash at one height, or not answer.
type witnessChain struct {
	*fakeChain
	mu     sync.Mutex
	lag    int64
	forged map[int64]string
	down   bool
}

func (w *witnessChain) state() (int64, map[int64]string, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.lag, w.forged, w.down
}

func (w *witnessChain) Head(ctx context.Context) (core.ChainBlock, error) {
	lag, _, down := w.state()
	if down {
		return core.ChainBlock{}, errors.New("connection refused")
	}
	h, err := w.fakeChain.Head(ctx)
	if err != nil {
		return h, err
	}
	b, err := w.Block(ctx, h.Height-lag)
	if err != nil {
		return core.ChainBlock{}, err
	}
	return core.ChainBlock{Height: b.Height, Hash: b.Hash, ParentHash: b.ParentHash}, nil
}

func (w *witnessChain) Block(ctx context.Context, height int64) (*core.ChainBlock, error) {
	lag, forged, down := w.state()
	if down {
		return nil, errors.New("connection refused")
	}
	head, err := w.fakeChain.Head(ctx)
	if err != nil {
		return nil, err
	}
	if height > head.Height-lag {
		return nil, core.Errorf(core.ENOTFOUND, "No block %d yet.", height)
	}
	b, err := w.fakeChain.Block(ctx, height)
	if err != nil {
		return nil, err
	}
	if h, ok := forged[height]; ok {
		cp := *b
		cp.Hash = h
		return &cp, nil
	}
	return b, nil
}

// confirming takes a fresh record to Confirming with one confirmation on
// the followed node and returns it.
func confirming(t *testing.T, d *desk) *core.DepositRecord {
	t.Helper()
	d.step()
	rec := d.submit()
	d.chain.broadcast(payment(rec))
	d.chain.mine(1)
	d.step()
	require.Equal(t, core.StatusConfirming, d.record(rec).Status)
	return rec
}

func TestACreditNeedsEveryReachableNode(t *testing.T) {
	t.Run("AgreeingNodesCredit", func(t *testing.T) {
		d := newDesk(t)
		wit := &witnessChain{fakeChain: d.chain}
		d.w.NodeName, d.w.Witnesses = "own-btcd", []watcher.Witness{{Name: "provider", Chain: wit}}
		rec := confirming(t, d)
		d.chain.mine(2)
		d.step()
		require.Equal(t, core.StatusCredited, d.record(rec).Status)
		require.Contains(t, strings.Join(d.trail(rec), "\n"), "deposit.credit: 3 of 3 confirmations: block 101 (h101-f0) is on the canonical chain, tip 103. Confirmed by provider.")
	})
	t.Run("ADisagreeingNodeHoldsTheDeposit", func(t *testing.T) {
		d := newDesk(t)
		wit := &witnessChain{fakeChain: d.chain, forged: map[int64]string{101: "other-101"}}
		d.w.NodeName, d.w.Witnesses = "own-btcd", []watcher.Witness{{Name: "provider", Chain: wit}}
		rec := confirming(t, d)
		d.chain.mine(5)
		d.step()
		got := d.record(rec)
		require.Equal(t, core.StatusHeld, got.Status, "one node alone never credits")
		trail := strings.Join(d.trail(rec), "\n")
		require.Contains(t, trail, "deposit.hold: Nodes disagree on block 101: own-btcd says h101-f0, provider says other-101.")
		require.NotContains(t, trail, "deposit.credit")
	})
	t.Run("ALaggingNodeDelaysTheCredit", func(t *testing.T) {
		d := newDesk(t)
		wit := &witnessChain{fakeChain: d.chain, lag: 2}
		d.w.Witnesses = []watcher.Witness{{Name: "provider", Chain: wit}}
		rec := confirming(t, d)
		d.chain.mine(2)
		d.step()
		got := d.record(rec)
		require.Equal(t, core.StatusConfirming, got.Status, "the witness has seen only 1 of 3 confirmations")
		require.Equal(t, 3, got.Confirmations)
		wit.mu.Lock()
		wit.lag = 0
		wit.mu.Unlock()
		d.step()
		require.Equal(t, core.StatusCredited, d.record(rec).Status)
	})
	t.Run("ASilentNodeIsNamedAndTheOthersDecide", func(t *testing.T) {
		d := newDesk(t)
		down := &witnessChain{fakeChain: d.chain, down: true}
		up := &witnessChain{fakeChain: d.chain}
		d.w.Witnesses = []watcher.Witness{{Name: "provider-a", Chain: down}, {Name: "provider-b", Chain: up}}
		rec := confirming(t, d)
		d.chain.mine(2)
		d.step()
		require.Equal(t, core.StatusCredited, d.record(rec).Status)
		require.Contains(t, strings.Join(d.trail(rec), "\n"), "Confirmed by provider-b. Did not answer: provider-a.")
	})
}
