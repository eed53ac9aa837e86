package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

// requestRefund builds the refund of rec and the deposit's move to Refunding.
func requestRefund(rec *core.DepositRecord, by string) (*core.Refund, core.DepositTransition) {
	r := &core.Refund{DepositID: rec.ID, RecordNo: rec.RecordNo, Status: core.RefundRequested, Address: BTCAddress(42),
		Network: rec.Network, Amount: rec.Amount, IdentityCheck: "video call, ticket 4471", Forced: true,
		RequestedBy: by, CreatedAt: T0, UpdatedAt: T0}
	a := audit("refund.request", "deposit", rec.RecordNo, T0)
	return r, core.DepositTransition{ID: rec.ID, From: core.StatusCredited, To: core.StatusRefunding, Audit: a}
}

func runRefunds(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	credited := func(t *testing.T) (*Fixture, *core.DepositRecord) {
		f := NewFixture(t, newStore)
		return f, f.MustTransition(t, f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 0)), PathTo(core.StatusCredited)...)
	}
	status := func(t *testing.T, f *Fixture, rec *core.DepositRecord) core.DepositStatus {
		page, err := f.Store.FindDeposits(ctx, core.DepositFilter{ID: &rec.ID})
		require.NoError(t, err)
		return page.Records[0].Status
	}

	t.Run("RequestMovesTheDepositToRefundingAndReadsBackWithItsRecord", func(t *testing.T) {
		t.Parallel()
		f, rec := credited(t)
		r, move := requestRefund(rec, "rita")
		require.NoError(t, f.Store.CreateRefund(ctx, r, move))
		require.NotZero(t, r.ID)
		require.Equal(t, core.StatusRefunding, status(t, f, rec))
		got, err := f.Store.FindRefunds(ctx, core.RefundFilter{DepositID: &rec.ID})
		require.NoError(t, err)
		require.Len(t, got, 1)
		require.Equal(t, rec.RecordNo, got[0].RecordNo)
		require.Equal(t, "BTC", got[0].AssetSymbol)
		require.Equal(t, 8, got[0].Decimals)
		require.Equal(t, rec.Amount.String(), got[0].Amount.String())
		require.Equal(t, core.RefundRequested, got[0].Status)
		require.Equal(t, "video call, ticket 4471", got[0].IdentityCheck)
		require.Equal(t, rec.CustomerNo, got[0].CustomerNo)
		require.Equal(t, "bitcoin", got[0].Chain)
		require.True(t, got[0].Forced)
		require.True(t, got[0].CreatedAt.Equal(T0))
		MustVerifyChain(t, f.Store)
	})
	t.Run("ADepositNotCreditedGetsNoRefundAndNothingIsWritten", func(t *testing.T) {
		t.Parallel()
		f, rec := credited(t)
		r, move := requestRefund(rec, "rita")
		require.NoError(t, f.Store.CreateRefund(ctx, r, move))
		before := MustVerifyChain(t, f.Store)
		again, move := requestRefund(rec, "rita")
		require.Equal(t, core.ECONFLICT, core.ErrorCode(f.Store.CreateRefund(ctx, again, move)))
		all, err := f.Store.FindRefunds(ctx, core.RefundFilter{})
		require.NoError(t, err)
		require.Len(t, all, 1)
		require.Equal(t, before, MustVerifyChain(t, f.Store))
	})
	t.Run("HundredConcurrentRequestsMakeOneLiveRefund", func(t *testing.T) {
		t.Parallel()
		f, rec := credited(t)
		errs := together(100, func(int) error {
			r, move := requestRefund(rec, "rita")
			return f.Store.CreateRefund(ctx, r, move)
		})
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else {
				require.Equal(t, core.ECONFLICT, core.ErrorCode(err), err)
			}
		}
		require.Equal(t, 1, ok)
		all, err := f.Store.FindRefunds(ctx, core.RefundFilter{})
		require.NoError(t, err)
		require.Len(t, all, 1)
		require.Equal(t, core.RefundRequested, all[0].Status)
		require.Equal(t, core.StatusRefunding, status(t, f, rec))
		require.Equal(t, 1, CountAudit(t, f.Store, "refund.request", rec.RecordNo), "the losers wrote nothing")
		MustVerifyChain(t, f.Store)
	})
	t.Run("ApproveThenRejectReturnsTheDepositToCredited", func(t *testing.T) {
		t.Parallel()
		f, rec := credited(t)
		r, move := requestRefund(rec, "rita")
		require.NoError(t, f.Store.CreateRefund(ctx, r, move))
		got, err := f.Store.TransitionRefund(ctx, core.RefundTransition{ID: r.ID, From: core.RefundRequested, To: core.RefundApproved,
			ApprovedBy: "sam", Audit: audit("refund.approve", "deposit", rec.RecordNo, T0)})
		require.NoError(t, err)
		require.Equal(t, core.RefundApproved, got.Status)
		require.Equal(t, "sam", got.ApprovedBy)

		_, err = f.Store.TransitionRefund(ctx, core.RefundTransition{ID: r.ID, From: core.RefundRequested, To: core.RefundApproved,
			ApprovedBy: "sam", Audit: audit("refund.approve", "deposit", rec.RecordNo, T0)})
		require.Equal(t, core.ECONFLICT, core.ErrorCode(err), "approved already")

		got, err = f.Store.TransitionRefund(ctx, core.RefundTransition{ID: r.ID, From: core.RefundApproved, To: core.RefundRejected,
			Audit:   audit("refund.reject", "deposit", rec.RecordNo, T0),
			Deposit: &core.DepositTransition{ID: rec.ID, From: core.StatusRefunding, To: core.StatusCredited, Audit: audit("deposit.refund_rejected", "deposit", rec.RecordNo, T0)}})
		require.NoError(t, err)
		require.Equal(t, core.RefundRejected, got.Status)
		require.Equal(t, "sam", got.ApprovedBy, "rejecting keeps who approved")
		require.Equal(t, core.StatusCredited, status(t, f, rec))

		r2, move := requestRefund(rec, "rita")
		require.NoError(t, f.Store.CreateRefund(ctx, r2, move), "a rejected refund is not live; a new one may be requested")
		MustVerifyChain(t, f.Store)
	})
	t.Run("AFailedDepositMoveUndoesTheRefundChange", func(t *testing.T) {
		t.Parallel()
		f, rec := credited(t)
		r, move := requestRefund(rec, "rita")
		require.NoError(t, f.Store.CreateRefund(ctx, r, move))
		before := MustVerifyChain(t, f.Store)
		_, err := f.Store.TransitionRefund(ctx, core.RefundTransition{ID: r.ID, From: core.RefundRequested, To: core.RefundRejected,
			Audit:   audit("refund.reject", "deposit", rec.RecordNo, T0),
			Deposit: &core.DepositTransition{ID: rec.ID, From: core.StatusCredited, To: core.StatusRefunding, Audit: audit("x", "deposit", rec.RecordNo, T0)}})
		require.Equal(t, core.ECONFLICT, core.ErrorCode(err))
		got, err := f.Store.FindRefunds(ctx, core.RefundFilter{ID: &r.ID})
		require.NoError(t, err)
		require.Equal(t, core.RefundRequested, got[0].Status, "one transaction: nothing of it stays")
		require.Equal(t, before, MustVerifyChain(t, f.Store))
	})
	t.Run("UnknownRefundIsNotFoundAndAnEdgeOutsideTheTableIsInvalid", func(t *testing.T) {
		t.Parallel()
		f, _ := credited(t)
		_, err := f.Store.TransitionRefund(ctx, core.RefundTransition{ID: 999, From: core.RefundRequested, To: core.RefundApproved,
			Audit: audit("refund.approve", "deposit", "D20261125-000001", T0)})
		require.Equal(t, core.ENOTFOUND, core.ErrorCode(err))
		_, err = f.Store.TransitionRefund(ctx, core.RefundTransition{ID: 1, From: core.RefundRequested, To: core.RefundConfirmed})
		require.Equal(t, core.EINVALID, core.ErrorCode(err))
	})
}
