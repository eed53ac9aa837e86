package storetest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

// approvalKey is a fixed public key for the stores: they keep its bytes,
// they never verify it.
func approvalKey(b byte) ed25519.PublicKey { return bytes.Repeat([]byte{b}, ed25519.PublicKeySize) }

func runOperatorKeys(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	t.Run("RegistersKeysOfAnOperatorOncePerKeyWithTheirAuditRow", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		sam, rita := MustCreateOperator(t, s, "sam"), MustCreateOperator(t, s, "rita")
		for _, k := range []*core.OperatorKey{
			{OperatorID: sam.ID, PublicKey: approvalKey(2), CreatedAt: T0},
			{OperatorID: rita.ID, PublicKey: approvalKey(1), CreatedAt: T0},
			{OperatorID: sam.ID, PublicKey: approvalKey(3), CreatedAt: T0}, // sam's second machine
		} {
			require.NoError(t, s.RegisterOperatorKey(ctx, k, audit("operator.key_register", "operator", "sam", T0)))
		}
		before := MustVerifyChain(t, s)
		err := s.RegisterOperatorKey(ctx, &core.OperatorKey{OperatorID: rita.ID, PublicKey: approvalKey(2), CreatedAt: T0},
			audit("operator.key_register", "operator", "rita", T0))
		require.Equal(t, core.ECONFLICT, core.ErrorCode(err), "a key is one operator's")
		require.Equal(t, before, MustVerifyChain(t, s), "the refused key wrote no audit row")
		require.Equal(t, 3, CountAudit(t, s, "operator.key_register", "sam"))

		all, err := s.FindOperatorKeys(ctx, core.OperatorKeyFilter{})
		require.NoError(t, err)
		require.Len(t, all, 3)
		require.Equal(t, []string{"rita", "sam", "sam"}, []string{all[0].Operator, all[1].Operator, all[2].Operator})
		require.Equal(t, approvalKey(2), all[1].PublicKey, "sam's keys in the order registered")
		require.True(t, all[1].CreatedAt.Equal(T0))
		mine, err := s.FindOperatorKeys(ctx, core.OperatorKeyFilter{OperatorID: &sam.ID})
		require.NoError(t, err)
		require.Len(t, mine, 2)
		one, err := s.FindOperatorKeys(ctx, core.OperatorKeyFilter{PublicKey: approvalKey(1)})
		require.NoError(t, err)
		require.Len(t, one, 1)
		require.Equal(t, rita.ID, one[0].OperatorID)
		none, err := s.FindOperatorKeys(ctx, core.OperatorKeyFilter{PublicKey: approvalKey(9)})
		require.NoError(t, err)
		require.Empty(t, none)
	})
	t.Run("KeepsARefundsApprovalsAndReplacesThemOnlyWhenGiven", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		rec := f.MustTransition(t, f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 0)), PathTo(core.StatusCredited)...)
		request := core.RefundApproval{Role: core.ApprovalRequest, Operator: "rita", PublicKey: approvalKey(1), Signature: bytes.Repeat([]byte{7}, 64)}
		r, move := requestRefund(rec, "rita")
		r.Approvals = []core.RefundApproval{request}
		require.NoError(t, f.Store.CreateRefund(ctx, r, move))
		got, err := f.Store.FindRefunds(ctx, core.RefundFilter{ID: &r.ID})
		require.NoError(t, err)
		require.Equal(t, r.Approvals, got[0].Approvals)

		approve := core.RefundApproval{Role: core.ApprovalApprove, Operator: "sam", PublicKey: approvalKey(2), Signature: bytes.Repeat([]byte{8}, 64)}
		both := []core.RefundApproval{request, approve}
		moved, err := f.Store.TransitionRefund(ctx, core.RefundTransition{ID: r.ID, From: core.RefundRequested, To: core.RefundApproved,
			ApprovedBy: "sam", Approvals: both, Audit: audit("refund.approve", "refund", rec.RecordNo, T0)})
		require.NoError(t, err)
		require.Equal(t, both, moved.Approvals)
		moved, err = f.Store.TransitionRefund(ctx, core.RefundTransition{ID: r.ID, From: core.RefundApproved, To: core.RefundRejected,
			Audit:   audit("refund.reject", "refund", rec.RecordNo, T0),
			Deposit: &core.DepositTransition{ID: rec.ID, From: core.StatusRefunding, To: core.StatusCredited, Audit: audit("deposit.refund_rejected", "deposit", rec.RecordNo, T0)}})
		require.NoError(t, err)
		require.Equal(t, both, moved.Approvals, "a transition without approvals keeps them")

		bare, move := requestRefund(rec, "rita")
		require.NoError(t, f.Store.CreateRefund(ctx, bare, move))
		got, err = f.Store.FindRefunds(ctx, core.RefundFilter{ID: &bare.ID})
		require.NoError(t, err)
		require.Empty(t, got[0].Approvals, "a refund requested without a key has none")
		MustVerifyChain(t, f.Store)
	})
}
