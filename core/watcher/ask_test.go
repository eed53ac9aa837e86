package watcher_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

// batching is the fake chain as a core.TransactionBatcher: it answers each
// batch from Transaction, and counts the batches and what they asked.
type batching struct {
	*fakeChain
	batches, asked int
}

func (b *batching) Transactions(ctx context.Context, ids []string) ([]*core.ChainTx, []error) {
	b.batches++
	b.asked += len(ids)
	txs, errs := make([]*core.ChainTx, len(ids)), make([]error, len(ids))
	for i, id := range ids {
		txs[i], errs[i] = b.Transaction(ctx, id)
	}
	return txs, errs
}

func TestABatchingChainIsAskedInBatches(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	chain := &batching{fakeChain: d.chain}
	d.w.Chain = chain
	recs := openRecords(t, d.store, 250, src, dst)
	d.step()
	require.Equal(t, 3, chain.batches, "a first pass over 250 open records: batches of 100, 100 and 50")
	require.Equal(t, 250, chain.asked)

	chain.batches, chain.asked = 0, 0
	for _, r := range recs[:10] {
		d.chain.broadcast(payment(r))
	}
	d.chain.mine(1)
	rep := d.step()
	require.Equal(t, 10, rep.Transitions)
	require.Equal(t, 1, chain.batches, "a block paying 10 records: one batch")
	require.Equal(t, 10, chain.asked)
	require.Equal(t, 250+10, d.chain.calls["Transaction"], "no lookup outside the batches")
	for _, r := range recs[:10] {
		require.Equal(t, core.StatusConfirming, d.record(r).Status)
	}
}

// TestAFailedAnswerInABatchFailsOnlyItsRecord: the node's error about one
// transaction of a batch leaves that record unchanged, for the next pass,
// and the others move.
func TestAFailedAnswerInABatchFailsOnlyItsRecord(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.w.Chain = &batching{fakeChain: d.chain}
	recs := []*core.DepositRecord{d.submit(), d.submit(), d.submit()}
	d.step()
	for _, r := range recs {
		d.chain.broadcast(payment(r))
	}
	d.chain.mine(1)
	d.chain.failNext["Transaction"] = errors.New("node hiccup") // the batch's first answer
	rep := d.step()
	require.Equal(t, 1, rep.Failed)
	require.Equal(t, 2, rep.Transitions)
	require.Equal(t, core.StatusVerifying, d.record(recs[0]).Status)
	require.Equal(t, core.StatusConfirming, d.record(recs[1]).Status)
	require.Equal(t, core.StatusConfirming, d.record(recs[2]).Status)

	rep = d.step()
	require.Equal(t, 1, rep.Transitions, "looked up again on the next pass")
	require.Equal(t, core.StatusConfirming, d.record(recs[0]).Status)
}
