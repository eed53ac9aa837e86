package core_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

// verifyManually verifies an address the only way documentary evidence can:
// the administrator submits it and a second operator, vera, approves it.
func (b *storeBundle) verifyManually(t *testing.T, addressID int64, evidence string) *core.WalletAddress {
	t.Helper()
	vera := b.operator(t, "vera", core.PermAddressVerification)
	_, err := b.svc.SubmitManualEvidence(b.admin, addressID, evidence)
	require.NoError(t, err)
	w, err := b.svc.ApproveManualEvidence(vera, addressID)
	require.NoError(t, err)
	return w
}

func TestManualEvidenceNeedsASecondOperator(t *testing.T) {
	t.Parallel()
	b := setupStore(t)
	ws, err := b.svc.FindWalletAddresses(b.admin, core.WalletAddressFilter{Address: &b.btcAddress})
	require.NoError(t, err)
	id := ws[0].ID
	vera := b.operator(t, "vera", core.PermAddressVerification)

	before := b.snapshot(t)
	_, err = b.svc.SubmitManualEvidence(b.admin, id, "  ")
	require.Equal(t, core.EINVALID, core.ErrorCode(err))
	_, err = b.svc.SubmitManualEvidence(b.clerk, id, "passport DOC-9")
	require.Equal(t, core.EFORBIDDEN, core.ErrorCode(err), "the clerk lacks Address Verification")
	_, err = b.svc.ApproveManualEvidence(vera, id)
	require.Equal(t, core.ENOTFOUND, core.ErrorCode(err), "nothing to approve yet")
	require.Equal(t, before, b.snapshot(t))

	mv, err := b.svc.SubmitManualEvidence(b.admin, id, "passport DOC-9")
	require.NoError(t, err)
	require.Equal(t, "admin", mv.RequestedBy)
	_, err = b.svc.SubmitManualEvidence(vera, id, "another document")
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err), "one piece of evidence waits at a time")

	before = b.snapshot(t)
	_, err = b.svc.ApproveManualEvidence(b.admin, id)
	require.Equal(t, core.EFORBIDDEN, core.ErrorCode(err), "never self-approval")
	require.Contains(t, core.ErrorMessage(err), "another operator")
	require.Equal(t, before, b.snapshot(t))
	got, err := b.svc.FindWalletAddresses(b.admin, core.WalletAddressFilter{ID: &id})
	require.NoError(t, err)
	require.Equal(t, core.AddressPending, got[0].Status)

	w, err := b.svc.ApproveManualEvidence(vera, id)
	require.NoError(t, err)
	require.Equal(t, core.AddressVerified, w.Status)
	require.Equal(t, core.ProofManual, w.VerificationMethod)
	require.Equal(t, "vera", w.VerifiedBy)
	require.Equal(t, "passport DOC-9 (submitted by admin, approved by vera)", w.Evidence)
	_, err = b.svc.PendingManualEvidence(b.admin, id)
	require.Equal(t, core.ENOTFOUND, core.ErrorCode(err), "approved evidence is no longer waiting")

	_, err = b.svc.SubmitManualEvidence(b.admin, id, "more paper")
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "a verified address takes no evidence")
}

// operator returns a context acting as name, creating the operator with
// perms on first use. A second administrator, hr, sets their permissions:
// the operator who empowered another is never that operator's second
// person, so operators made by admin could not check admin's work.
func (b *storeBundle) operator(t *testing.T, name string, perms ...core.Permission) context.Context {
	t.Helper()
	if name != "hr" {
		hr := b.operator(t, "hr", core.PermOperatorAdmin)
		_, err := b.svc.CreateOperator(hr, name, name+"-password-1", perms)
		if core.ErrorCode(err) != core.ECONFLICT {
			require.NoError(t, err)
		}
		op, err := b.svc.Login(context.Background(), name, name+"-password-1")
		require.NoError(t, err)
		return core.NewContextWithOperator(context.Background(), op)
	}
	_, err := b.svc.CreateOperator(b.admin, name, name+"-password-1", perms)
	if core.ErrorCode(err) != core.ECONFLICT {
		require.NoError(t, err)
	}
	op, err := b.svc.Login(context.Background(), name, name+"-password-1")
	require.NoError(t, err)
	return core.NewContextWithOperator(context.Background(), op)
}
