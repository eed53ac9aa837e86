package watcher_test

import (
	"context"
	"math/big"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/internal/btcdtest"
	"depositdesk/internal/keyringtest"
)

// broadcastRefund is a refund of a fresh 0.015 BTC deposit (with a 0.007
// float for the fee) signed and broadcast at 5 sat/vB, not yet mined.
func broadcastRefund(t *testing.T) (*refunder, *btcdtest.Node, *core.Refund) {
	t.Helper()
	d, node, to := btcDesk(t)
	rd := newRefunder(t, d, 84, 1, &chaincfg.RegressionNetParams, big.NewInt(5), big.NewInt(100_000))
	d.submit(t, "0.007", node.Send(t, to, 700_000), 0)
	rec := d.submit(t, "0.015", node.Send(t, to, 1_500_000), 0)
	node.Generate(t, 3)
	require.Equal(t, core.StatusCredited, d.step(t, rec).Status)
	r, err := d.svc.RequestRefund(d.admin, rec.RecordNo, core.RefundRequest{AddressID: d.sourceID, IdentityCheck: "video call, ticket 5"})
	require.NoError(t, err)
	for _, step := range []func() (*core.Refund, error){
		func() (*core.Refund, error) { return d.svc.ApproveRefund(rd.sam, r.ID) },
		func() (*core.Refund, error) { return d.svc.PrepareRefund(d.admin, r.ID) },
		func() (*core.Refund, error) { return d.svc.ExecuteRefund(d.admin, r.ID) },
		func() (*core.Refund, error) { return d.svc.BroadcastRefund(d.admin, r.ID) },
	} {
		r, err = step()
		require.NoError(t, err)
	}
	require.True(t, node.InMempool(t, r.TxID))
	return rd, node, r
}

func (d *refunder) stepUntil(t *testing.T, node *btcdtest.Node, r *core.Refund, want core.RefundStatus) *core.Refund {
	t.Helper()
	for range 10 {
		_, err := d.w.Step(context.Background())
		require.NoError(t, err)
		got, err := d.svc.Refund(d.admin, r.ID)
		require.NoError(t, err)
		if got.Status == want {
			return got
		}
		node.Generate(t, 1)
	}
	t.Fatalf("refund %d never became %s", r.ID, want.Display())
	return nil
}

// Not parallel: the OS keyring's session bus is named in the environment.
func TestRefundFeeBumpReplacesTheTransactionOnBtcd(t *testing.T) {
	keyringtest.Start(t)
	rd, node, r := broadcastRefund(t)
	old := r.TxID
	_, err := rd.svc.BumpRefundFee(rd.admin, r.ID, big.NewInt(20), "stuck for a day")
	require.Equal(t, core.EFORBIDDEN, core.ErrorCode(err), "the requester does not approve their own fee bump")
	_, err = rd.svc.BumpRefundFee(rd.sam, r.ID, big.NewInt(5), "same rate")
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "a bump needs a higher rate")
	_, err = rd.svc.BumpRefundFee(rd.sam, r.ID, big.NewInt(2000), "way too much")
	require.Contains(t, core.ErrorMessage(err), "above BTC@regtest's refund fee cap")

	r, err = rd.svc.BumpRefundFee(rd.sam, r.ID, big.NewInt(20), "stuck for a day")
	require.NoError(t, err)
	require.Equal(t, core.RefundPrepared, r.Status)
	require.Equal(t, old, r.Payout.Earlier[0].TxID)
	require.Equal(t, r.Payout.Earlier[0].Payout.ChainSpends(), r.Payout.ChainSpends(), "the same inputs: only one can be mined")
	require.Greater(t, r.Payout.Fee.Int64(), r.Payout.Earlier[0].Payout.Fee.Int64())
	_, err = rd.svc.PrepareRefund(rd.admin, r.ID)
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "a bump keeps its inputs: no new coin selection")
	_, err = rd.svc.RejectRefund(rd.sam, r.ID, "changed my mind")
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "the earlier transaction may still be mined")
	_, err = rd.w.Step(context.Background())
	require.NoError(t, err)
	got, err := rd.svc.Refund(rd.admin, r.ID)
	require.NoError(t, err)
	require.Equal(t, core.RefundPrepared, got.Status, "the earlier transaction still pooled: the bump waits for its signature")

	r, err = rd.svc.ExecuteRefund(rd.admin, r.ID)
	require.NoError(t, err)
	require.NotEqual(t, old, r.TxID)
	r, err = rd.svc.BroadcastRefund(rd.admin, r.ID)
	require.NoError(t, err)
	require.True(t, node.InMempool(t, r.TxID), "the replacement is in the mempool")
	require.False(t, node.InMempool(t, old), "and the transaction it replaced is not")
	r = rd.stepUntil(t, node, r, core.RefundConfirmed)
	require.Equal(t, int64(1_500_000), rd.paid(t, r)[node.Address().EncodeAddress()].Int64())
	v, err := rd.svc.VerifyAudit(rd.admin, core.AuditAnchors{State: true})
	require.NoError(t, err)
	require.True(t, v.Intact(), v.Summary())
}

// The earlier transaction is mined before the bump is signed: it pays the
// refund, and the bump is never signed.
func TestRefundFeeBumpOvertakenByTheEarlierTransaction(t *testing.T) {
	keyringtest.Start(t)
	rd, node, r := broadcastRefund(t)
	old := r.TxID
	r, err := rd.svc.BumpRefundFee(rd.sam, r.ID, big.NewInt(20), "stuck for a day")
	require.NoError(t, err)
	node.Generate(t, 1) // the earlier transaction is mined
	r = rd.stepUntil(t, node, r, core.RefundBroadcast)
	require.Equal(t, old, r.TxID, "the mined transaction is the refund's")
	require.Empty(t, r.Payout.Earlier)
	_, err = rd.svc.ExecuteRefund(rd.admin, r.ID)
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err), "the bump is never signed")
	_, err = rd.svc.BumpRefundFee(rd.sam, r.ID, big.NewInt(30), "again")
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "a mined transaction is not bumped")
	r = rd.stepUntil(t, node, r, core.RefundConfirmed)
	require.Equal(t, old, r.TxID)
	v, err := rd.svc.VerifyAudit(rd.admin, core.AuditAnchors{State: true})
	require.NoError(t, err)
	require.True(t, v.Intact(), v.Summary())
}

// A reorganisation that takes the refund's block away lowers its
// confirmations; it is Confirmed only on the chain that wins.
func TestRefundConfirmationsFollowAReorgOnBtcd(t *testing.T) {
	keyringtest.Start(t)
	rd, node, r := broadcastRefund(t)
	rival := node.Fork(t) // synced, then cut off: it mines a longer chain without the refund
	node.Generate(t, 2)
	_, err := rd.w.Step(context.Background())
	require.NoError(t, err)
	r, err = rd.svc.Refund(rd.admin, r.ID)
	require.NoError(t, err)
	require.Equal(t, 2, r.Confirmations)
	require.Equal(t, "Broadcast — 2/3 confirmations", r.Progress())

	rival.Generate(t, 4)
	node.Connect(t, rival) // the refund's block is orphaned; its transaction returns to the mempool
	_, err = rd.w.Step(context.Background())
	require.NoError(t, err)
	r, err = rd.svc.Refund(rd.admin, r.ID)
	require.NoError(t, err)
	require.Equal(t, core.RefundBroadcast, r.Status, "never Confirmed on an orphaned block")
	require.Zero(t, r.Confirmations)
	r = rd.stepUntil(t, node, r, core.RefundConfirmed)
	require.Equal(t, int64(1_500_000), rd.paid(t, r)[node.Address().EncodeAddress()].Int64())
}
