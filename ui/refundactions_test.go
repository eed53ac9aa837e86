package ui

import (
	"context"
	"math/big"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/payout"
	"depositdesk/internal/testkeys"
	"depositdesk/storage/storetest"
)

// Each refund button is shown to the operators whose permissions allow
// its action, and no one else.
func TestRefundButtonsShowByPermission(t *testing.T) {
	d := setupRefundDesk(t)
	d.request(t)
	d.checker(t, "rita", "rita-password-1", core.PermRefund)
	d.checker(t, "sid", "sid-password-01", core.PermSignRefund)
	d.checker(t, "ada", "ada-password-01", core.PermAuditView)
	for _, c := range []struct {
		name, pw string
		visible  []string
	}{
		{"admin", adminPW, []string{"Approve", "Reject", "Prepare", "Execute Refund", "Broadcast", "Notify customer", "Replace"}},
		{"sam", "sam-password-01", []string{"Approve", "Reject", "Replace"}},
		{"rita", "rita-password-1", []string{"Prepare", "Broadcast", "Notify customer"}},
		{"sid", "sid-password-01", []string{"Prepare", "Execute Refund", "Broadcast"}},
		{"ada", "ada-password-01", nil},
	} {
		rp := d.refundsAs(t, c.name, c.pw)
		var shown []string
		for _, b := range []*widget.Button{rp.approveBtn, rp.rejectBtn, rp.prepareBtn, rp.executeBtn, rp.broadcastBtn, rp.notifyBtn, rp.replaceBtn} {
			if b.Visible() {
				shown = append(shown, b.Text)
			}
		}
		require.Equal(t, c.visible, shown, c.name)
		require.Len(t, rp.refunds, 1, "%s sees the refund", c.name)
	}
}

// A button is enabled only when the refund's transition table allows its
// move from the selected refund's status.
func TestRefundButtonsEnableByStatus(t *testing.T) {
	d := setupRefundDesk(t)
	rp := d.refundsAs(t, "admin", adminPW)
	noticed := &core.RefundNotice{By: "admin", At: time.Now(), Channel: core.NoticePhone, Note: "called"}
	bumped := &core.Payout{Earlier: []core.EarlierTx{{TxID: "replaced by a fee bump"}}}
	for _, c := range []struct {
		r       *core.Refund
		enabled []string
	}{
		{&core.Refund{Status: core.RefundRequested, RequestedBy: "rita"}, []string{"Approve", "Reject"}},
		{&core.Refund{Status: core.RefundRequested, RequestedBy: "admin"}, []string{"Reject"}},
		{&core.Refund{Status: core.RefundApproved, RequestedBy: "rita"}, []string{"Reject", "Prepare"}},
		{&core.Refund{Status: core.RefundPrepared, RequestedBy: "rita"}, []string{"Reject", "Prepare", "Execute Refund"}},
		{&core.Refund{Status: core.RefundPrepared, RequestedBy: "rita", Payout: bumped}, []string{"Execute Refund"}},
		{&core.Refund{Status: core.RefundSigned, RequestedBy: "rita"}, []string{"Broadcast"}},
		{&core.Refund{Status: core.RefundBroadcast, RequestedBy: "rita"}, []string{"Broadcast"}},
		{&core.Refund{Status: core.RefundConfirmed, RequestedBy: "rita"}, []string{"Notify customer"}},
		{&core.Refund{Status: core.RefundConfirmed, RequestedBy: "rita", Notice: noticed}, nil},
		{&core.Refund{Status: core.RefundFailed, RequestedBy: "rita"}, []string{"Reject", "Replace"}},
		{&core.Refund{Status: core.RefundFailed, RequestedBy: "admin"}, []string{"Reject"}},
		{&core.Refund{Status: core.RefundRejected, RequestedBy: "rita"}, nil},
	} {
		d.meanwhile(func() {
			rp.refunds = []*core.Refund{c.r}
			rp.table.UnselectAll()
			rp.table.Select(widget.TableCellID{Row: 0})
		})
		var on []string
		for _, b := range []*widget.Button{rp.approveBtn, rp.rejectBtn, rp.prepareBtn, rp.executeBtn, rp.broadcastBtn, rp.notifyBtn, rp.replaceBtn} {
			if !b.Disabled() {
				on = append(on, b.Text)
			}
		}
		require.Equal(t, c.enabled, on, "%s requested by %s", c.r.Progress(), c.r.RequestedBy)
	}
}

// A failed refund goes back to Approved only by a supervisor's Replace
// with remarks; then it is prepared anew.
func TestFailedRefundIsReplacedWithRemarks(t *testing.T) {
	d := setupRefundDesk(t)
	r := d.request(t)
	sam := d.operatorCtx(t, "sam")
	_, err := d.svc.ApproveRefund(sam, r.ID)
	require.NoError(t, err)
	_, err = d.svc.PrepareRefund(d.admin, r.ID)
	require.NoError(t, err)
	r, err = d.svc.ExecuteRefund(d.admin, r.ID)
	require.NoError(t, err)
	_, err = d.store.TransitionRefund(context.Background(), core.RefundTransition{ID: r.ID, From: core.RefundSigned, To: core.RefundFailed,
		Remarks: "its inputs were spent by another transaction",
		Audit:   core.AuditEntry{At: time.Now(), Actor: "watcher", Action: "refund.fail", Entity: "refund", EntityID: r.RecordNo}})
	require.NoError(t, err)

	rp := d.refundsAs(t, "sam", "sam-password-01")
	rp.table.Select(widget.TableCellID{Row: 0})
	require.Equal(t, "Failed", refundColumns[5].text(rp.refunds[0]))
	require.False(t, rp.replaceBtn.Disabled())
	d.tap(t, rp.replaceBtn)
	require.Contains(t, rp.remarks.action.explain, "It failed: its inputs were spent by another transaction")
	test.Type(rp.remarks.remarks, "inputs double-spent by the old wallet; pay from fresh coins")
	d.tap(t, rp.remarks.confirm)
	d.tap(t, rp.remarks.again)
	require.Contains(t, rp.message.Text, "approved again; Prepare builds its new transaction")
	require.Equal(t, core.RefundApproved, rp.refunds[0].Status)
	require.Equal(t, "sam", rp.refunds[0].ApprovedBy)
	require.True(t, rp.replaceBtn.Disabled())
}

// The approve dialog says why no fee can be estimated, and approving
// still works.
func TestApproveDialogSaysWhyTheFeeCannotBeEstimated(t *testing.T) {
	d := setupRefundDesk(t)
	d.node.mu.Lock()
	for k, c := range d.node.coins {
		if c.address != d.rec.DestinationAddress {
			delete(d.node.coins, k) // the second coin was spent outside the desk
		}
	}
	d.node.mu.Unlock()
	r := d.request(t)
	rp := d.refundsAs(t, "sam", "sam-password-01")
	rp.table.Select(widget.TableCellID{Row: 0})
	d.tap(t, rp.approveBtn)
	require.Contains(t, rp.approve.fee.Text, "Cannot be estimated now: The BTC@regtest account cannot pay this refund")
	require.Contains(t, rp.approve.fee.Text, "short by ")
	require.Contains(t, rp.approve.fee.Text, "Approving is still possible")
	d.tap(t, rp.approve.confirm)
	d.tap(t, rp.approve.again)
	got, err := d.svc.Refund(d.admin, r.ID)
	require.NoError(t, err)
	require.Equal(t, core.RefundApproved, got.Status)

	d.svc.Nodes = nil
	_, err = d.svc.RejectRefund(d.operatorCtx(t, "sam"), r.ID, "customer asked again later")
	require.NoError(t, err)
	d.request(t)
	d.tap(t, rp.searchBtn)
	rp.table.Select(widget.TableCellID{Row: 0})
	d.tap(t, rp.approveBtn)
	require.Contains(t, rp.approve.fee.Text, "Cannot be estimated now: No blockchain nodes are configured (nodes.toml).")
}

// operatorCtx is a context acting as the named operator.
func (d *refundDesk) operatorCtx(t *testing.T, name string) context.Context {
	t.Helper()
	ops, err := d.store.FindOperators(context.Background(), core.OperatorFilter{Name: &name})
	require.NoError(t, err)
	require.Len(t, ops, 1)
	return core.NewContextWithOperator(context.Background(), ops[0])
}

// A supervisor bumps the fee of a broadcast Bitcoin refund from the page:
// the refund is Prepared again, its earlier transaction kept.
func TestFeeBumpFromTheRefundsPage(t *testing.T) {
	d := setupRefundDesk(t)
	r := d.request(t)
	_, err := d.svc.ApproveRefund(d.operatorCtx(t, "sam"), r.ID)
	require.NoError(t, err)
	for _, step := range []func(context.Context, int64) (*core.Refund, error){d.svc.PrepareRefund, d.svc.ExecuteRefund, d.svc.BroadcastRefund} {
		r, err = step(d.admin, r.ID)
		require.NoError(t, err)
	}
	old := r.TxID

	rp := d.refundsAs(t, "admin", adminPW)
	rp.table.Select(widget.TableCellID{Row: 0})
	require.True(t, rp.bumpBtn.Disabled(), "the requester does not bump their own refund's fee")
	rp = d.refundsAs(t, "sam", "sam-password-01")
	rp.table.Select(widget.TableCellID{Row: 0})
	require.False(t, rp.bumpBtn.Disabled())
	d.tap(t, rp.bumpBtn)
	f := rp.bump
	test.Type(f.rate, "2")
	test.Type(f.remarks, "unconfirmed for a day")
	d.tap(t, f.save)
	require.Contains(t, f.message.Text, "A fee bump needs a higher rate than the transaction's 2 sat/vB.")
	f.rate.SetText("9")
	d.tap(t, f.save)
	require.Contains(t, rp.message.Text, "fee bump to")
	require.Equal(t, core.RefundPrepared, rp.refunds[0].Status)
	require.Equal(t, old, rp.refunds[0].Payout.Earlier[0].TxID)
	rp.table.Select(widget.TableCellID{Row: 0})
	require.True(t, rp.bumpBtn.Disabled(), "a prepared bump is executed, not bumped again")
	require.True(t, rp.rejectBtn.Disabled(), "nor rejected: the earlier transaction may still be mined")
}

// ethPayerNode answers the refund payer's balances.
type ethPayerNode struct {
	storetest.EmptyChain
	coin, token *big.Int
}

func (n ethPayerNode) Balance(context.Context, string) (*big.Int, error) { return n.coin, nil }
func (n ethPayerNode) TokenBalance(context.Context, string, string) (*big.Int, error) {
	return n.token, nil
}
func (ethPayerNode) Nonce(context.Context, string) (uint64, error) { return 0, nil }
func (ethPayerNode) Fees(context.Context) (*big.Int, *big.Int, error) {
	return big.NewInt(1), big.NewInt(1), nil
}
func (ethPayerNode) EstimateGas(context.Context, string, string, *big.Int, []byte) (uint64, error) {
	return 21000, nil
}

// Selecting an Ethereum refund says which address pays it and what it holds.
func TestRefundsPageShowsTheEthereumPayersBalance(t *testing.T) {
	d := setupRefundDesk(t)
	_, xpub, err := testkeys.Account("deposit desk ui refund test seed", 44, 60, &chaincfg.MainNetParams)
	require.NoError(t, err)
	eth := &core.Asset{Chain: core.ChainEthereum, Network: "dev", Symbol: "ETH", Decimals: 18, MinDeposit: big.NewInt(1),
		ConfirmationsRequired: 3, Enabled: true, AccountXPub: xpub}
	require.NoError(t, d.svc.CreateAsset(d.admin, eth))
	d.svc.Nodes = core.NodeMap{d.asset.Net(): d.node, eth.Net(): ethPayerNode{coin: big.NewInt(25e17)}}
	const source = "0x7cAF60F13C99681dDDFAd549ff5F79099d4515B8"
	w, err := d.svc.AddWalletAddress(d.admin, "C10001", core.ChainEthereum, "dev", source, "")
	require.NoError(t, err)
	_, err = d.svc.SubmitManualEvidence(d.admin, w.ID, "passport scan DOC-18")
	require.NoError(t, err)
	_, err = d.svc.ApproveManualEvidence(d.operatorCtx(t, "vera"), w.ID)
	require.NoError(t, err)
	rec, _, err := d.svc.SubmitApplication(d.admin, core.DepositApplication{Channel: core.ChannelBranch, ClientRequestKey: "eth-1", CustomerNo: "C10001",
		SecuritiesAccount: "SA-C10001", AssetSymbol: "ETH", Network: "dev", Amount: "1.5", SourceAddress: source,
		TxID: "0x" + strings.Repeat("ab", 32)})
	require.NoError(t, err)
	for _, to := range []core.DepositStatus{core.StatusConfirming, core.StatusCredited} {
		rec, err = d.store.TransitionDeposit(context.Background(), core.DepositTransition{ID: rec.ID, From: rec.Status, To: to,
			Audit: core.AuditEntry{At: time.Now(), Actor: "watcher", Action: "deposit." + string(to), Entity: "deposit"}})
		require.NoError(t, err)
	}
	d.request(t) // a Bitcoin refund, listed below the Ethereum one
	_, err = d.svc.RequestRefund(d.admin, rec.RecordNo, core.RefundRequest{AddressID: w.ID, IdentityCheck: "video call, ticket 9"})
	require.NoError(t, err)
	payer, err := payout.Payer(eth)
	require.NoError(t, err)

	rp := d.refundsAs(t, "admin", adminPW)
	rp.table.Select(widget.TableCellID{Row: 0})
	d.settle(t)
	require.Equal(t, "Refund payer "+payer+" holds 2.5 ETH.", rp.payer.Text)
	d.svc.Nodes = nil
	rp.table.Select(widget.TableCellID{Row: 1})
	d.settle(t)
	require.Empty(t, rp.payer.Text, "a Bitcoin refund is paid from the account's own deposits")
}
