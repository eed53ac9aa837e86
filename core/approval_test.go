package core_test

import (
	"crypto/ed25519"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/internal/stationtest"
)

func TestTheApprovalMessageNamesEveryFactTheStationPaysBy(t *testing.T) {
	t.Parallel()
	r := &core.Refund{RecordNo: "D20261202-000009", CustomerNo: "C10001", Address: "bcrt1qexample", Amount: big.NewInt(100_000),
		RequestedBy: "rita", CreatedAt: time.Date(2026, 12, 2, 4, 5, 6, 123456789, time.UTC)}
	a := &core.Asset{Chain: core.ChainEthereum, Network: "dev", Symbol: "USDT", ContractAddress: "0xdAC1", Decimals: 6}
	require.Equal(t, "depositdesk refund approval v1\nrole=approve\noperator=sam\nrecord=D20261202-000009\ncustomer=C10001\n"+
		"created=1796184306123456\nchain=ethereum\nnetwork=dev\nasset=USDT\ncontract=0xdAC1\ndecimals=6\naddress=bcrt1qexample\n"+
		"amount=100000\nrequested_by=rita\n", string(core.ApprovalMessage(core.ApprovalApprove, "sam", r, a)),
		"microseconds: what both stores keep of the creation time")
	require.Equal(t, "66687aadf862bd77", core.KeyFingerprint(make(ed25519.PublicKey, ed25519.PublicKeySize)))
}

func TestOperatorsRegisterTheirKeyAtLoginAndSignWhatTheyRequestAndApprove(t *testing.T) {
	t.Parallel()
	b := setupRefund(t)
	b.svc.OperatorKeys = &stationtest.OperatorKeys{}
	rita, sam := b.operator(t, "rita", core.PermRefund), b.operator(t, "sam", core.PermRefundApproval)
	b.operator(t, "rita", core.PermRefund) // a second login registers nothing new
	all, err := b.svc.ExportOperatorKeys(b.admin)
	require.NoError(t, err)
	require.Len(t, all, 3, "hr, who created them, logged in too")
	require.Equal(t, []string{"hr", "rita", "sam"}, []string{all[0].Operator, all[1].Operator, all[2].Operator})
	_, err = b.svc.ExportOperatorKeys(rita)
	require.Equal(t, core.EFORBIDDEN, core.ErrorCode(err))
	who := "rita"
	trail, err := b.svc.AuditTrail(b.admin, core.AuditFilter{EntityID: &who})
	require.NoError(t, err)
	var registered []string
	for _, e := range trail {
		if e.Action == "operator.key_register" {
			registered = append(registered, e.After)
		}
	}
	require.Equal(t, []string{"approval key " + core.KeyFingerprint(all[1].PublicKey)}, registered)
	hr := b.operator(t, "hr", core.PermOperatorAdmin)
	_, err = b.svc.SetOperatorDisabled(hr, "sam", true, "left the firm")
	require.NoError(t, err)
	without, err := b.svc.ExportOperatorKeys(b.admin)
	require.NoError(t, err)
	require.Equal(t, []*core.OperatorKey{all[0], all[1]}, without, "a disabled operator's keys leave the trust list")
	_, err = b.svc.SetOperatorDisabled(hr, "sam", false, "back")
	require.NoError(t, err)

	r, err := b.svc.RequestRefund(rita, b.rec.RecordNo, core.RefundRequest{IdentityCheck: checked, AddressID: b.own.ID})
	require.NoError(t, err)
	r, err = b.svc.ApproveRefund(sam, r.ID)
	require.NoError(t, err)
	require.Len(t, r.Approvals, 2)
	sym := "BTC"
	as, err := b.svc.ListAssets(b.admin, core.AssetFilter{Symbol: &sym})
	require.NoError(t, err)
	a := as[0]
	for i, want := range []struct {
		role core.ApprovalRole
		key  *core.OperatorKey
	}{{core.ApprovalRequest, all[1]}, {core.ApprovalApprove, all[2]}} {
		ap := r.Approvals[i]
		require.Equal(t, want.role, ap.Role)
		require.Equal(t, want.key.Operator, ap.Operator)
		require.Equal(t, want.key.PublicKey, ap.PublicKey)
		require.True(t, ed25519.Verify(ap.PublicKey, core.ApprovalMessage(ap.Role, ap.Operator, r, a), ap.Signature),
			"%s's signature holds over the refund as stored", ap.Operator)
	}
}

func TestWithoutAKeyringLoginWorksAndRefundsCarryNoSignature(t *testing.T) {
	t.Parallel()
	b := setupRefund(t)
	b.svc.OperatorKeys = &stationtest.OperatorKeys{} // keys exist only once their operator logs in here
	r, err := b.svc.RequestRefund(b.rita, b.rec.RecordNo, core.RefundRequest{IdentityCheck: checked, AddressID: b.own.ID})
	require.NoError(t, err)
	require.Empty(t, r.Approvals)
	all, err := b.svc.ExportOperatorKeys(b.admin)
	require.NoError(t, err)
	require.Empty(t, all)
}
