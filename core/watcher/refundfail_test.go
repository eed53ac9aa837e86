package watcher_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"math/big"
	"testing"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/payout"
	"depositdesk/internal/btcdtest"
	"depositdesk/internal/keyringtest"
)

// A refund signed but never broadcast (the station lost power) is sent by
// the watcher; one whose coin the chain spent otherwise is Failed, and a
// supervisor's replacement pays it from other coins.
func TestRefundSentByTheWatcherAndFailedThenReplacedOnBtcd(t *testing.T) {
	keyringtest.Start(t)
	d, node, to := btcDesk(t)
	rd := newRefunder(t, d, 84, 1, &chaincfg.RegressionNetParams, big.NewInt(5), big.NewInt(100_000))
	float := d.submit(t, "0.02", node.Send(t, to, 2_000_000), 0)
	spare := d.submit(t, "0.018", node.Send(t, to, 1_800_000), 0)
	rec := d.submit(t, "0.015", node.Send(t, to, 1_500_000), 0)
	node.Generate(t, 3)
	require.Equal(t, core.StatusCredited, d.step(t, rec).Status)
	require.Equal(t, core.StatusCredited, rd.record(t, float).Status)

	r, err := d.svc.RequestRefund(d.admin, rec.RecordNo, core.RefundRequest{AddressID: d.sourceID, IdentityCheck: "video call, ticket 6"})
	require.NoError(t, err)
	_, err = d.svc.ApproveRefund(rd.sam, r.ID)
	require.NoError(t, err)
	_, err = d.svc.PrepareRefund(d.admin, r.ID)
	require.NoError(t, err)
	r, err = d.svc.ExecuteRefund(d.admin, r.ID)
	require.NoError(t, err)
	first := r.TxID
	require.False(t, node.InMempool(t, first))
	_, err = d.w.Step(context.Background())
	require.NoError(t, err)
	r, err = d.svc.Refund(d.admin, r.ID)
	require.NoError(t, err)
	require.Equal(t, core.RefundBroadcast, r.Status)
	require.True(t, node.InMempool(t, first), "the watcher sent the signed transaction")

	// Someone holding the account key spends the refund's coins elsewhere
	// before it is mined: it can never confirm.
	thief := btcdtest.NewAddress(t).EncodeAddress()
	rival := *r
	rival.Address = thief
	stolen := *r.Payout
	stolen.To = thief
	acct, err := hdkeychain.NewKeyFromString(accountXPrv(t, 84, 1, &chaincfg.RegressionNetParams))
	require.NoError(t, err)
	// A higher fee from the same coins: it replaces the refund in the mempool.
	bumped, err := payout.Builder{}.Bump(d.asset, &core.Refund{ID: r.ID, Payout: &stolen, SignedTx: []byte{0}, TxID: "x"}, big.NewInt(60))
	require.NoError(t, err)
	bumped.Earlier = nil
	raw, _, err := payout.Sign(d.asset, &rival, bumped, acct)
	require.NoError(t, err)
	var tx wire.MsgTx
	require.NoError(t, tx.Deserialize(bytes.NewReader(raw)))
	_, err = node.Client().SendRawTransaction(&tx, false)
	require.NoError(t, err, "a higher fee replaces the refund in the mempool")
	node.Generate(t, 1)

	r = rd.stepUntil(t, node, r, core.RefundFailed)
	require.Contains(t, lastRemarks(t, rd, r), "can never confirm")
	require.Equal(t, core.StatusRefunding, rd.record(t, rec).Status, "the record waits for a supervisor")
	_, err = d.svc.PrepareRefund(d.admin, r.ID)
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "nothing is prepared anew without a supervisor")
	r, err = d.svc.ReplaceRefund(rd.sam, r.ID, "coins spent by the rival transaction")
	require.NoError(t, err)
	require.Len(t, r.Approvals, 2, "the request's signature and the supervisor's, made with their keys in the OS keyring")
	ap := r.Approvals[1]
	require.Equal(t, []any{core.ApprovalApprove, "sam"}, []any{ap.Role, ap.Operator})
	require.True(t, ed25519.Verify(ap.PublicKey, core.ApprovalMessage(ap.Role, "sam", r, d.asset), ap.Signature))
	r, err = d.svc.PrepareRefund(d.admin, r.ID)
	require.NoError(t, err)
	require.Equal(t, []string{spare.TxID + ":0"}, r.Payout.ChainSpends(), "paid from the coin still unspent")
	r, err = d.svc.ExecuteRefund(d.admin, r.ID)
	require.NoError(t, err)
	require.NotEqual(t, first, r.TxID)
	r = rd.stepUntil(t, node, r, core.RefundConfirmed)
	require.Equal(t, int64(1_500_000), rd.paid(t, r)[node.Address().EncodeAddress()].Int64())
	require.Equal(t, core.StatusRefunded, rd.record(t, rec).Status)
}

// lastRemarks is the remarks of the refund's last audit row.
func lastRemarks(t *testing.T, rd *refunder, r *core.Refund) string {
	entity := "refund"
	rows, err := rd.svc.AuditTrail(rd.admin, core.AuditFilter{Entity: &entity, EntityID: &r.RecordNo})
	require.NoError(t, err)
	return rows[len(rows)-1].Remarks
}
