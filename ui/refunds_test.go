package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

func TestRequestRefundThenApproveAndRejectOnTheRefundsPage(t *testing.T) {
	b := setup(t)
	recs := b.withData(t, 4) // recs[0] and recs[3] are credited
	src := recs[0].SourceAddress
	ws, err := b.svc.FindWalletAddresses(b.admin, core.WalletAddressFilter{Address: &src})
	require.NoError(t, err)
	_, err = b.svc.SubmitManualEvidence(b.admin, ws[0].ID, "passport scan DOC-17")
	require.NoError(t, err)
	b.checker(t, "sam", "sam-password-01", core.PermRefundApproval)
	vera := b.checker(t, "vera", "vera-password-1", core.PermAddressVerification)
	_, err = b.svc.ApproveManualEvidence(core.NewContextWithOperator(context.Background(), vera), ws[0].ID)
	require.NoError(t, err)

	p := b.loginAs(t, "admin", adminPW)
	p.selectRecord(t, recs[1].RecordNo)
	require.True(t, p.refundBtn.Disabled(), "only a Credited record is refunded")
	p.selectRecord(t, recs[3].RecordNo)
	b.tap(t, p.refundBtn)
	require.True(t, p.refund.save.Disabled(), "no Verified address of that customer: nothing to choose")
	require.Contains(t, p.refund.message.Text, "has no Verified address")
	p.refund.dlg.Hide()

	p.selectRecord(t, recs[0].RecordNo)
	b.tap(t, p.refundBtn)
	f := p.refund
	require.Equal(t, []string{src + " (from deposit application)"}, f.address.Options, "the customer's own Verified address on the deposit's network")
	require.Equal(t, recs[0].AmountText(), f.amount.Text, "the deposit's amount by default")
	f.amount.SetText("0.00001")
	b.tap(t, f.save)
	require.Contains(t, f.message.Text, "state the reason for the adjustment")
	test.Type(f.reason, "customer keeps a part")
	b.tap(t, f.save)
	require.Contains(t, f.message.Text, "Say how the customer's identity and the request were verified")
	require.Equal(t, core.StatusCredited, mustStatus(t, b, recs[0].RecordNo), "a refused request changes nothing")
	test.Type(f.identity, "video call, ticket 4471")
	f.kind.SetSelected(kindForced)
	b.tap(t, f.save)
	require.Contains(t, p.message.Text, "waits for a second operator's approval")
	require.Equal(t, core.StatusRefunding, mustStatus(t, b, recs[0].RecordNo))
	p.selectRecord(t, recs[0].RecordNo)
	b.tap(t, p.detailsBtn)
	require.Contains(t, p.detail.values["Refund"].Text, "Requested: 0.00001 BTC to "+src+", requested by admin")
	require.Contains(t, p.detail.values["Refund"].Text, "amount adjusted: customer keeps a part")
	require.Contains(t, p.detail.values["Refund"].Text, "forced by the firm; identity checked: video call, ticket 4471")
	p.detail.win.Close()

	b.tap(t, b.ui.nav[pageRefunds])
	rp := b.ui.refunds
	require.Len(t, rp.refunds, 1)
	require.Equal(t, "Forced", refundKind(rp.refunds[0]))
	require.Equal(t, "video call, ticket 4471", rp.refunds[0].IdentityCheck)
	rp.table.Select(widget.TableCellID{Row: 0})
	require.True(t, rp.approveBtn.Disabled(), "nobody approves their own request")

	b.ui.showLogin("")
	b.loginAs(t, "sam", "sam-password-01")
	require.Nil(t, b.ui.assets)
	b.tap(t, b.ui.nav[pageRefunds])
	rp = b.ui.refunds
	rp.table.Select(widget.TableCellID{Row: 0})
	b.tap(t, rp.approveBtn)
	require.NotNil(t, rp.approve, "Approve shows the request's facts first")
	facts := map[string]string{}
	for _, item := range rp.approve.facts.Items {
		facts[item.Text] = item.Widget.(*widget.Label).Text
	}
	require.Equal(t, recs[0].RecordNo+" · customer "+recs[0].CustomerNo, facts["Record"])
	require.Equal(t, "0.00001 BTC", facts["Amount"])
	require.Equal(t, src, facts["Refund address"])
	require.Equal(t, "bitcoin "+recs[0].Network, facts["Network"])
	require.Equal(t, "customer keeps a part", facts["Adjustment"])
	require.Equal(t, "video call, ticket 4471", facts["Identity check"])
	require.Equal(t, "forced by the firm", facts["Kind"])
	require.Contains(t, facts["Requested by"], "admin on ")
	require.Equal(t, "Cannot be estimated now: BTC@regtest has no refund fee cap; set one in Cryptocurrency Configuration before "+
		"preparing refunds. Approving is still possible; Prepare builds the transaction.", facts["Fee estimate"])
	b.tap(t, rp.approve.confirm)
	b.tap(t, rp.approve.again)
	require.Contains(t, rp.message.Text, "approved")
	require.Equal(t, core.RefundApproved, rp.refunds[0].Status)
	require.Equal(t, "sam", rp.refunds[0].ApprovedBy)

	b.tap(t, rp.rejectBtn)
	test.Type(rp.remarks.remarks, "customer withdrew the request")
	b.tap(t, rp.remarks.confirm)
	b.tap(t, rp.remarks.again)
	require.Contains(t, rp.message.Text, "Credited again")
	require.Equal(t, core.StatusCredited, mustStatus(t, b, recs[0].RecordNo))
}
