package ui

import (
	"context"
	"math/big"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

// facts reads a dialog's form of label values.
func facts(f *widget.Form) map[string]string {
	out := map[string]string{}
	for _, item := range f.Items {
		out[item.Text] = item.Widget.(*widget.Label).Text
	}
	return out
}

// The guide's refund, on the desk: sam approves seeing the fee, admin
// prepares, executes (a transaction changed outside the desk is refused in
// the dialog), broadcasts; the watcher's confirmations show without a
// reload; once Refunded the customer's notice is recorded, and the record's
// detail tells all of it.
func TestRefundIsPreparedSignedBroadcastAndTheCustomerNotified(t *testing.T) {
	d := setupRefundDesk(t)
	r := d.request(t)

	rp := d.refundsAs(t, "sam", "sam-password-01")
	for _, b := range []*widget.Button{rp.prepareBtn, rp.executeBtn, rp.broadcastBtn, rp.notifyBtn} {
		require.False(t, b.Visible(), "%s is not Refund Approval's", b.Text)
	}
	rp.table.Select(widget.TableCellID{Row: 0})
	d.tap(t, rp.approveBtn)
	fee := rp.approve.fee.Text
	require.Contains(t, fee, " BTC at 2 sat/vB, spending 2 input(s) of 0.003 BTC, change ", "the refunded deposit's output and the next largest")
	require.True(t, strings.HasSuffix(fee, "(if prepared now)"), fee)
	d.tap(t, rp.approve.confirm)
	d.tap(t, rp.approve.again)
	require.Equal(t, core.RefundApproved, rp.refunds[0].Status)
	held, err := d.store.FindHeldSpends(context.Background(), core.SpendKey(d.asset.Net(), ""))
	require.NoError(t, err)
	require.Empty(t, held, "the estimate claimed nothing")

	rp = d.refundsAs(t, "admin", adminPW)
	rp.table.Select(widget.TableCellID{Row: 0})
	require.False(t, rp.prepareBtn.Disabled())
	require.True(t, rp.executeBtn.Disabled(), "nothing to sign before Prepare")
	require.True(t, rp.broadcastBtn.Disabled())
	require.True(t, rp.notifyBtn.Disabled())
	d.tap(t, rp.prepareBtn)
	require.Contains(t, rp.message.Text, "Refund 1 of "+d.rec.RecordNo+" prepared: fee ")
	require.Contains(t, rp.message.Text, "spending 2 input(s) of 0.003 BTC, change ")
	prepared := rp.refunds[0]
	require.Equal(t, core.RefundPrepared, prepared.Status)
	require.Equal(t, core.FormatFee(core.ChainBitcoin, prepared.Payout.Fee.Big()), refundFee(prepared), "the Fee column")
	require.False(t, rp.executeBtn.Disabled())

	// Someone with the database rewrites the prepared transaction's fee.
	bad := *prepared.Payout
	bad.Fee = core.NewInt(new(big.Int).Add(prepared.Payout.Fee.Big(), big.NewInt(1)))
	_, err = d.store.TransitionRefund(context.Background(), core.RefundTransition{ID: r.ID, From: core.RefundPrepared, To: core.RefundPrepared,
		Payout: &bad, Network: d.asset.Net(), Audit: core.AuditEntry{At: time.Now(), Actor: "intruder", Action: "db.write", Entity: "refund", EntityID: r.RecordNo}})
	require.NoError(t, err)
	d.ui.DepositsChanged("*")
	d.settle(t)
	d.tap(t, rp.executeBtn)
	e := rp.execute
	d.tap(t, e.confirm)
	require.Contains(t, e.again.Text, "Yes, sign")
	d.tap(t, e.again)
	require.Contains(t, e.message.Text, "does not match its prepared transaction in the audit log")
	require.Contains(t, e.message.Text, "Nothing was signed.")
	require.False(t, e.confirm.Disabled(), "the refusal stays in the open dialog")
	got, err := d.svc.Refund(d.admin, r.ID)
	require.NoError(t, err)
	require.Equal(t, core.RefundPrepared, got.Status)
	d.tap(t, e.back)

	// The intruder's change is undone: the transaction is the one the log shows.
	_, err = d.store.TransitionRefund(context.Background(), core.RefundTransition{ID: r.ID, From: core.RefundPrepared, To: core.RefundPrepared,
		Payout: prepared.Payout, Network: d.asset.Net(), Audit: core.AuditEntry{At: time.Now(), Actor: "dba", Action: "db.restore", Entity: "refund", EntityID: r.RecordNo}})
	require.NoError(t, err)
	d.ui.DepositsChanged("*")
	d.settle(t)
	d.tap(t, rp.executeBtn)
	e = rp.execute
	f := facts(e.facts)
	p := rp.refunds[0].Payout
	require.Equal(t, d.rec.RecordNo+" · customer C10001", f["Record"])
	require.Equal(t, "0.001 BTC (at the customer's request)", f["Amount"])
	require.Equal(t, d.rec.SourceAddress, f["Refund address"])
	require.Equal(t, "bitcoin regtest", f["Network"])
	require.Equal(t, core.FormatFee(core.ChainBitcoin, p.Fee.Big())+" at 2 sat/vB", f["Fee"])
	inputs := strings.Split(f["Inputs"], "\n")
	require.Len(t, inputs, 4)
	require.Equal(t, "1. 0.001 BTC at the account's deposit address 0", inputs[0], "the refunded deposit's own output first")
	require.Equal(t, "    "+d.rec.TxID+":0", inputs[1])
	require.Equal(t, "2. 0.002 BTC at the account's deposit address 1", inputs[2])
	require.Contains(t, f["Change"], " to "+p.ChangeAddress+" (the account's change address 1)")
	require.Contains(t, f["Requested by"], "admin on ")
	require.Equal(t, "sam", f["Approved by"])
	d.tap(t, e.confirm)
	d.tap(t, e.again)
	require.Empty(t, e.message.Text)
	signed := rp.refunds[0]
	require.Equal(t, core.RefundSigned, signed.Status)
	require.Len(t, signed.TxID, 64)
	require.Contains(t, rp.message.Text, "signed: transaction "+signed.TxID)
	require.Equal(t, shorten(signed.TxID, 6, 4), refundColumns[6].text(signed), "the TXID column")
	require.True(t, rp.prepareBtn.Disabled() && rp.executeBtn.Disabled(), "signed once, never again")
	require.False(t, rp.broadcastBtn.Disabled())

	d.tap(t, rp.broadcastBtn)
	require.Contains(t, rp.message.Text, "broadcast: the bitcoin/regtest node has transaction "+signed.TxID)
	require.Len(t, d.node.sent, 1)
	require.Equal(t, "Broadcast — 0/3 confirmations", refundColumns[5].text(rp.refunds[0]))
	require.False(t, rp.broadcastBtn.Disabled(), "the same bytes may be sent again")

	d.watcherMoves(t, signed, 1)
	require.Equal(t, "Broadcast — 1/3 confirmations", refundColumns[5].text(rp.refunds[0]), "no reload by the operator")
	require.Equal(t, signed.ID, rp.current().ID, "the selection survives")

	records := d.ui.records
	d.tap(t, d.ui.nav[pageRecords])
	records.selectRecord(t, d.rec.RecordNo)
	d.tap(t, records.detailsBtn)
	v := records.detail
	require.Contains(t, v.values["Refund"].Text, "Broadcast — 1/3 confirmations: 0.001 BTC to "+d.rec.SourceAddress)
	require.Contains(t, v.values["Refund"].Text, "; fee "+core.FormatFee(core.ChainBitcoin, p.Fee.Big())+" at 2 sat/vB")
	require.Contains(t, v.values["Refund"].Text, "; transaction "+signed.TxID+", 1/3 confirmations")

	d.watcherMoves(t, signed, 3)
	require.Contains(t, v.values["Refund"].Text, "Refunded — customer not yet notified: ")
	require.Contains(t, v.values["Refund"].Text, ", 3/3 confirmations")
	require.Equal(t, "Refunded", v.values["Status"].Text)
	d.tap(t, d.ui.nav[pageRefunds])
	require.Equal(t, "Refunded — customer not yet notified", refundColumns[5].text(rp.refunds[0]))
	require.True(t, rp.broadcastBtn.Disabled())
	require.False(t, rp.notifyBtn.Disabled())

	d.tap(t, rp.notifyBtn)
	n := rp.notify
	require.Equal(t, []string{"Phone", "Email", "Letter", "In person"}, n.channel.Options)
	d.tap(t, n.save)
	require.Equal(t, "Choose how the customer was told.", n.message.Text)
	n.channel.SetSelected("Email")
	d.tap(t, n.save)
	require.Contains(t, n.message.Text, "Write a note")
	test.Type(n.note, "sent the transaction ID to the registered email")
	d.tap(t, n.save)
	require.Contains(t, rp.message.Text, ": Customer notified by admin on ")
	require.Contains(t, rp.message.Text, " by email: sent the transaction ID to the registered email.")
	require.Equal(t, "Refunded — customer notified", refundColumns[5].text(rp.refunds[0]))
	require.True(t, rp.notifyBtn.Disabled(), "one notice")
	got, err = d.svc.Refund(d.admin, r.ID)
	require.NoError(t, err)
	require.Equal(t, core.NoticeEmail, got.Notice.Channel)

	d.tap(t, v.refreshBtn)
	require.Contains(t, v.values["Refund"].Text, "Refunded — customer notified: ")
	require.Contains(t, v.values["Refund"].Text, ". Customer notified by admin on ")
	require.Contains(t, v.values["Refund"].Text, " by email: sent the transaction ID to the registered email")
	v.win.Close()
}

// When no notification comes (another desk's watcher on a shared SQLite
// file), the page re-reads a refund on its way on chain by itself.
func TestConfirmationsShowWithoutANotification(t *testing.T) {
	every := refundRefresh
	refundRefresh = 20 * time.Millisecond
	t.Cleanup(func() { refundRefresh = every })
	d := setupRefundDesk(t)
	r := d.request(t)
	_, err := d.svc.ApproveRefund(d.operatorCtx(t, "sam"), r.ID)
	require.NoError(t, err)
	_, err = d.svc.PrepareRefund(d.admin, r.ID)
	require.NoError(t, err)
	_, err = d.svc.ExecuteRefund(d.admin, r.ID)
	require.NoError(t, err)
	_, err = d.svc.BroadcastRefund(d.admin, r.ID)
	require.NoError(t, err)

	rp := d.refundsAs(t, "admin", adminPW)
	status := func() (s string) {
		d.meanwhile(func() {
			if len(rp.refunds) == 1 {
				s = refundColumns[5].text(rp.refunds[0])
			}
		})
		return s
	}
	require.Equal(t, "Broadcast — 0/3 confirmations", status())
	require.NoError(t, d.store.UpdateRefundChain(context.Background(), r.ID, core.RefundBroadcast, 2))
	require.Eventually(t, func() bool { return status() == "Broadcast — 2/3 confirmations" }, 5*time.Second, 10*time.Millisecond)
}
