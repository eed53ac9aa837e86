package core_test

import (
	"context"
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/storage/storetest"
)

// checked is the identity check a test's refund requests record.
const checked = "video call, ticket 1"

// refundBundle is a credited deposit of C10001 from its verified address,
// plus addresses a refund must not go to.
type refundBundle struct {
	*storeBundle
	rita, sam                               context.Context // Refund; Refund Approval
	own, pending, otherCustomer, otherChain *core.WalletAddress
	verifying                               *core.DepositRecord
}

func setupRefund(t *testing.T) *refundBundle {
	t.Helper()
	b := &refundBundle{storeBundle: setupStore(t)}
	ws, err := b.svc.FindWalletAddresses(b.admin, core.WalletAddressFilter{Address: &b.btcAddress})
	require.NoError(t, err)
	b.own = b.verifyManually(t, ws[0].ID, "passport scan DOC-17")
	b.rec = b.credit(t, b.rec)
	next := b.app()
	next.ClientRequestKey, next.TxID = "req-2", ""
	b.verifying, _, err = b.svc.SubmitApplication(b.admin, next)
	require.NoError(t, err)

	b.pending, err = b.svc.AddWalletAddress(b.admin, "C10001", core.ChainBitcoin, "regtest", "bcrt1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qzf4jry", "")
	require.NoError(t, err)
	b.otherChain, err = b.svc.AddWalletAddress(b.admin, "C10001", core.ChainEthereum, "dev", "0x7cAF60F13C99681dDDFAd549ff5F79099d4515B8", "")
	require.NoError(t, err)
	b.otherChain = b.verifyManually(t, b.otherChain.ID, "DOC-18")
	require.NoError(t, b.svc.CreateCustomer(b.admin, &core.Customer{CustomerNo: "C10002", SecuritiesAccount: "SA-20002", Name: "Mei Wong"}))
	b.otherCustomer, err = b.svc.AddWalletAddress(b.admin, "C10002", core.ChainBitcoin, "regtest", storetest.BTCAddress(5), "")
	require.NoError(t, err)
	b.otherCustomer = b.verifyManually(t, b.otherCustomer.ID, "DOC-19")
	b.rita = b.operator(t, "rita", core.PermRefund)
	b.sam = b.operator(t, "sam", core.PermRefundApproval)
	return b
}

func TestRefundRequestFollowsTheGuidesRules(t *testing.T) {
	t.Parallel()
	b := setupRefund(t)
	addrs, err := b.svc.RefundAddresses(b.rita, b.rec.RecordNo)
	require.NoError(t, err)
	require.Len(t, addrs, 1, "only the customer's own Verified address on the deposit's network")
	require.Equal(t, b.own.Address, addrs[0].Address)

	for name, c := range map[string]struct {
		ctx      context.Context
		recordNo string
		req      core.RefundRequest
		code     string
	}{
		"NotCredited":           {b.rita, b.verifying.RecordNo, core.RefundRequest{IdentityCheck: checked, AddressID: b.own.ID}, core.EINVALID},
		"AnotherCustomer":       {b.rita, b.rec.RecordNo, core.RefundRequest{IdentityCheck: checked, AddressID: b.otherCustomer.ID}, core.EINVALID},
		"AnotherNetwork":        {b.rita, b.rec.RecordNo, core.RefundRequest{IdentityCheck: checked, AddressID: b.otherChain.ID}, core.EINVALID},
		"PendingAddress":        {b.rita, b.rec.RecordNo, core.RefundRequest{IdentityCheck: checked, AddressID: b.pending.ID}, core.EINVALID},
		"UnknownAddress":        {b.rita, b.rec.RecordNo, core.RefundRequest{IdentityCheck: checked, AddressID: 9999}, core.ENOTFOUND},
		"MoreThanDeposited":     {b.rita, b.rec.RecordNo, core.RefundRequest{IdentityCheck: checked, AddressID: b.own.ID, Amount: "0.02", Reason: "x"}, core.EINVALID},
		"Zero":                  {b.rita, b.rec.RecordNo, core.RefundRequest{IdentityCheck: checked, AddressID: b.own.ID, Amount: "0", Reason: "x"}, core.EINVALID},
		"AdjustedWithoutReason": {b.rita, b.rec.RecordNo, core.RefundRequest{IdentityCheck: checked, AddressID: b.own.ID, Amount: "0.01"}, core.EINVALID},
		"TooPrecise":            {b.rita, b.rec.RecordNo, core.RefundRequest{IdentityCheck: checked, AddressID: b.own.ID, Amount: "0.000000001", Reason: "x"}, core.EINVALID},
		"Negative":              {b.rita, b.rec.RecordNo, core.RefundRequest{IdentityCheck: checked, AddressID: b.own.ID, Amount: "-0.01", Reason: "x"}, core.EINVALID},
		"BadRecordNo":           {b.rita, "D2026", core.RefundRequest{IdentityCheck: checked, AddressID: b.own.ID}, core.EINVALID},
		"WithoutRefund":         {b.clerk, b.rec.RecordNo, core.RefundRequest{IdentityCheck: checked, AddressID: b.own.ID}, core.EFORBIDDEN},
		"NoIdentityCheck":       {b.rita, b.rec.RecordNo, core.RefundRequest{IdentityCheck: "  ", AddressID: b.own.ID}, core.EINVALID},
		"IdentityCheckTooShort": {b.rita, b.rec.RecordNo, core.RefundRequest{IdentityCheck: "ok", AddressID: b.own.ID}, core.EINVALID},
		"IdentityCheckBidi":     {b.rita, b.rec.RecordNo, core.RefundRequest{IdentityCheck: "call \u202eevil", AddressID: b.own.ID}, core.EINVALID},
	} {
		before := b.snapshot(t)
		_, err := b.svc.RequestRefund(c.ctx, c.recordNo, c.req)
		require.Equal(t, c.code, core.ErrorCode(err), "%s: %v", name, err)
		require.Equal(t, before, b.snapshot(t), "%s changed something", name)
	}

	r, err := b.svc.RequestRefund(b.rita, b.rec.RecordNo, core.RefundRequest{IdentityCheck: checked, AddressID: b.own.ID})
	require.NoError(t, err)
	require.Equal(t, core.RefundRequested, r.Status)
	require.Equal(t, b.rec.Amount.String(), r.Amount.String(), "the deposit's amount by default")
	require.Empty(t, r.AdjustmentReason)
	det, err := b.svc.DepositDetail(b.admin, b.rec.RecordNo)
	require.NoError(t, err)
	require.Equal(t, core.StatusRefunding, det.Record.Status)
	last := det.Trail[len(det.Trail)-1]
	require.Equal(t, "refund.request", last.Action)
	require.Equal(t, "rita", last.Actor)
	require.Contains(t, last.Remarks, "0.015 BTC to "+b.own.Address)
	require.Contains(t, last.Remarks, "at the customer's request; identity checked: "+checked)
	listed, err := b.svc.Refunds(b.rita, core.RefundFilter{ID: &r.ID})
	require.NoError(t, err)
	require.Equal(t, checked, listed[0].IdentityCheck, "the store keeps the identity check")
	require.False(t, listed[0].Forced)

	_, err = b.svc.RequestRefund(b.rita, b.rec.RecordNo, core.RefundRequest{IdentityCheck: checked, AddressID: b.own.ID})
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "the deposit is Refunding now")
}

func TestRefundNeedsASecondOperatorAndARejectionCreditsAgain(t *testing.T) {
	t.Parallel()
	b := setupRefund(t)
	both := b.operator(t, "bo", core.PermRefund, core.PermRefundApproval)
	r, err := b.svc.RequestRefund(both, b.rec.RecordNo, core.RefundRequest{IdentityCheck: "compliance case 88", Forced: true, AddressID: b.own.ID, Amount: "0.01", Reason: "customer asked to keep 0.005"})
	require.NoError(t, err)
	require.True(t, r.Forced)
	require.Equal(t, "forced by the firm", r.Kind())
	require.Equal(t, "1000000", r.Amount.String())
	require.Equal(t, "customer asked to keep 0.005", r.AdjustmentReason)

	mine, err := b.svc.ApproveRefund(both, r.ID)
	require.Equal(t, core.EFORBIDDEN, core.ErrorCode(err), "%v", mine)
	_, err = b.svc.ApproveRefund(b.rita, r.ID)
	require.Equal(t, core.EFORBIDDEN, core.ErrorCode(err), "Refund alone does not approve")

	_, err = b.svc.RejectRefund(b.rita, r.ID, "no")
	require.Equal(t, core.EFORBIDDEN, core.ErrorCode(err))
	r2, err := b.svc.RequestRefund(b.rita, b.rec.RecordNo, core.RefundRequest{IdentityCheck: checked, AddressID: b.own.ID})
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "%v: one live refund per deposit", r2)

	got, err := b.svc.ApproveRefund(b.sam, r.ID)
	require.NoError(t, err)
	require.Equal(t, core.RefundApproved, got.Status)
	require.Equal(t, "sam", got.ApprovedBy)
	_, err = b.svc.ApproveRefund(b.sam, r.ID)
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "approved once")

	_, err = b.svc.RejectRefund(b.sam, r.ID, "  ")
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "remarks are required")
	got, err = b.svc.RejectRefund(b.sam, r.ID, "customer withdrew the request")
	require.NoError(t, err)
	require.Equal(t, core.RefundRejected, got.Status)
	det, err := b.svc.DepositDetail(b.admin, b.rec.RecordNo)
	require.NoError(t, err)
	require.Equal(t, core.StatusCredited, det.Record.Status)
	actions := []string{}
	for _, e := range det.Trail {
		actions = append(actions, e.Action)
	}
	require.Subset(t, actions, []string{"refund.request", "refund.approve", "refund.reject", "deposit.refund_rejected"})

	list, err := b.svc.Refunds(b.clerk, core.RefundFilter{DepositID: &b.rec.ID})
	require.NoError(t, err, "Deposit Records sees refunds")
	require.Len(t, list, 1)
	v, err := b.svc.VerifyAudit(b.admin, core.AuditAnchors{})
	require.NoError(t, err)
	require.True(t, v.Intact())
}

func TestRefundAddressesAreOfTheDepositsChainWhenNetworkNamesRepeat(t *testing.T) {
	t.Parallel()
	b := setupStore(t)
	for _, a := range []*core.Asset{
		{Chain: core.ChainBitcoin, Network: "mainnet", Symbol: "BTC", Decimals: 8, MinDeposit: big.NewInt(1), ConfirmationsRequired: 1, Enabled: true},
		{Chain: core.ChainEthereum, Network: "mainnet", Symbol: "ETH", Decimals: 18, MinDeposit: big.NewInt(1), ConfirmationsRequired: 1, Enabled: true},
	} {
		require.NoError(t, b.svc.CreateAsset(b.admin, a))
	}
	eth := "0x7cAF60F13C99681dDDFAd549ff5F79099d4515B8"
	rec, _, err := b.svc.SubmitApplication(b.admin, core.DepositApplication{Channel: core.ChannelBranch, ClientRequestKey: "eth-1", CustomerNo: "C10001",
		SecuritiesAccount: "SA-20001", AssetSymbol: "ETH", Network: "mainnet", Amount: "1.5", SourceAddress: eth,
		DestinationAddress: "0x52908400098527886E0F7030069857D2E4169EE7"})
	require.NoError(t, err)
	rec = b.credit(t, rec)
	ws, err := b.svc.FindWalletAddresses(b.admin, core.WalletAddressFilter{Address: &eth})
	require.NoError(t, err)
	b.verifyManually(t, ws[0].ID, "DOC-20")
	btc, err := b.svc.AddWalletAddress(b.admin, "C10001", core.ChainBitcoin, "mainnet", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "")
	require.NoError(t, err)
	b.verifyManually(t, btc.ID, "DOC-21")

	rita := b.operator(t, "rita", core.PermRefund)
	got, err := b.svc.RefundAddresses(rita, rec.RecordNo)
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, eth, got[0].Address, "a Bitcoin mainnet address is not an Ethereum mainnet one")
	_, err = b.svc.RequestRefund(rita, rec.RecordNo, core.RefundRequest{IdentityCheck: checked, AddressID: btc.ID})
	require.Equal(t, core.EINVALID, core.ErrorCode(err))
}

// An administrator cannot get their own work approved through an operator
// they empowered, nor approve the work of one: the operator who set
// another's permissions is never that operator's second person.
func TestMakerCheckerSurvivesAdministrators(t *testing.T) {
	t.Parallel()
	b := setupRefund(t)
	puppet, err := b.svc.CreateOperator(b.admin, "puppet", "puppet-password-1", []core.Permission{core.PermRefundApproval, core.PermRefund, core.PermAddressVerification})
	require.NoError(t, err)
	asPuppet := core.NewContextWithOperator(context.Background(), puppet)

	mine, err := b.svc.RequestRefund(b.admin, b.rec.RecordNo, core.RefundRequest{IdentityCheck: checked, AddressID: b.own.ID})
	require.NoError(t, err)
	before := b.snapshot(t)
	_, err = b.svc.ApproveRefund(asPuppet, mine.ID)
	require.Equal(t, core.EFORBIDDEN, core.ErrorCode(err))
	require.Equal(t, "admin set puppet's permissions, so puppet cannot be admin's second person; another operator with Refund Approval must approve.", core.ErrorMessage(err))
	require.Equal(t, before, b.snapshot(t), "a refused approval writes nothing")
	_, err = b.svc.RejectRefund(b.sam, mine.ID, "requested by the administrator for a test")
	require.NoError(t, err)

	theirs, err := b.svc.RequestRefund(asPuppet, b.rec.RecordNo, core.RefundRequest{IdentityCheck: checked, AddressID: b.own.ID})
	require.NoError(t, err)
	_, err = b.svc.ApproveRefund(b.admin, theirs.ID)
	require.Equal(t, core.EFORBIDDEN, core.ErrorCode(err), "nor the other way round")

	got, err := b.svc.ApproveRefund(b.sam, theirs.ID)
	require.NoError(t, err, "an operator whose permissions another administrator set may check")
	require.Equal(t, core.RefundApproved, got.Status)

	_, err = b.svc.SubmitManualEvidence(b.admin, b.pending.ID, "passport DOC-30")
	require.NoError(t, err)
	_, err = b.svc.ApproveManualEvidence(asPuppet, b.pending.ID)
	require.Equal(t, core.EFORBIDDEN, core.ErrorCode(err), "documents too")
}
