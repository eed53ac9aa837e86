package watcher_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"math/big"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	_ "github.com/mattn/go-sqlite3"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/payout"
	"depositdesk/internal/btcdtest"
	"depositdesk/internal/keyringtest"
)

// TestRefundAlteredInTheDatabaseIsNeverSigned plays someone with write
// access to the desk's database who rewrites a prepared refund between
// Prepare and Execute: a whole consistent transaction to their own
// address, or only its fee or change. Execute refuses each, names why,
// and changes nothing; the refund as prepared still signs afterwards.
func TestRefundAlteredInTheDatabaseIsNeverSigned(t *testing.T) {
	keyringtest.Start(t)
	d, node, to := btcDesk(t)
	rd := newRefunder(t, d, 84, 1, &chaincfg.RegressionNetParams, big.NewInt(5), big.NewInt(100_000))
	rec := d.submit(t, "0.015", node.Send(t, to, 1_500_000), 0)
	d.submit(t, "0.007", node.Send(t, to, 700_000), 0)
	node.Generate(t, 3)
	require.Equal(t, core.StatusCredited, d.step(t, rec).Status)
	r, err := d.svc.RequestRefund(d.admin, rec.RecordNo, core.RefundRequest{AddressID: d.sourceID, IdentityCheck: "video call, ticket 9"})
	require.NoError(t, err)
	_, err = d.svc.ApproveRefund(rd.sam, r.ID)
	require.NoError(t, err)
	_, err = d.svc.PrepareRefund(rd.sam, r.ID)
	require.Equal(t, core.EFORBIDDEN, core.ErrorCode(err), "Refund Approval alone does not prepare")
	r, err = d.svc.PrepareRefund(d.admin, r.ID)
	require.NoError(t, err)

	db, err := sql.Open("sqlite3", d.path)
	require.NoError(t, err)
	defer db.Close()
	var original, originalAddress string
	require.NoError(t, db.QueryRow(`SELECT payout, address FROM refunds WHERE id = ?`, r.ID).Scan(&original, &originalAddress))
	write := func(address string, p *core.Payout) {
		b, err := json.Marshal(p)
		require.NoError(t, err)
		_, err = db.Exec(`UPDATE refunds SET payout = ?, address = ? WHERE id = ?`, string(b), address, r.ID)
		require.NoError(t, err)
	}
	thief := btcdtest.NewAddress(t).EncodeAddress()
	stolen := *r
	stolen.Address = thief
	forged, err := payout.Builder{}.Build(context.Background(), d.asset, &stolen, r.Payout.Inputs, nil, d.w.Chain)
	require.NoError(t, err)
	richer := *r.Payout
	richer.Change = core.NewInt(new(big.Int).Sub(r.Payout.Change.Big(), big.NewInt(50_000)))
	richer.Fee = core.NewInt(new(big.Int).Add(r.Payout.Fee.Big(), big.NewInt(50_000)))

	for name, alter := range map[string]func(){
		"a consistent transaction to another address": func() { write(thief, forged) },
		"the same transaction, other stated facts":    func() { write(originalAddress, &richer) },
	} {
		alter()
		_, err := d.svc.ExecuteRefund(d.admin, r.ID)
		require.Equal(t, core.ECONFLICT, core.ErrorCode(err), "%s: %v", name, err)
		require.Contains(t, core.ErrorMessage(err), "Nothing was signed", name)
		got, err := d.svc.Refund(d.admin, r.ID)
		require.NoError(t, err)
		require.Equal(t, core.RefundPrepared, got.Status, name)
		require.Empty(t, got.SignedTx, name)
	}
	_, err = db.Exec(`UPDATE refunds SET payout = ?, address = ? WHERE id = ?`, original, originalAddress, r.ID)
	require.NoError(t, err)
	r, err = d.svc.ExecuteRefund(d.admin, r.ID)
	require.NoError(t, err, "the refund as approved and prepared signs")
	require.Equal(t, core.RefundSigned, r.Status)
}
