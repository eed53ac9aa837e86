package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/storage/storetest"
)

// The rule "at most one live refund per deposit" is the refunds_live
// unique index, so it holds for a writer that skips the deposit's
// compare-and-set (which answers first in the store), and for one that
// skips the store altogether.
func TestAtMostOneLiveRefundPerDeposit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, url, f := openWithBTC(t)
	f.Customer = storetest.MustCreateCustomer(t, s, "C10001", "SA-20001")
	rec := f.MustTransition(t, f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 0)), storetest.PathTo(core.StatusCredited)...)
	other := f.MustTransition(t, f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 1)), storetest.PathTo(core.StatusCredited)...)
	request := func() error {
		r := &core.Refund{DepositID: rec.ID, RecordNo: rec.RecordNo, Status: core.RefundRequested, Address: storetest.BTCAddress(7),
			Network: rec.Network, Amount: rec.Amount, RequestedBy: "rita", CreatedAt: storetest.T0, UpdatedAt: storetest.T0}
		return s.CreateRefund(ctx, r, core.DepositTransition{ID: rec.ID, From: core.StatusCredited, To: core.StatusRefunding,
			Audit: core.AuditEntry{At: storetest.T0, Actor: "rita", Action: "refund.request", Entity: "deposit", EntityID: rec.RecordNo}})
	}
	require.NoError(t, request())

	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)

	// The deposit put back to Credited behind the store's back: its
	// compare-and-set passes, and only the index is left to refuse.
	_, err = conn.Exec(ctx, `UPDATE deposits SET status = 'credited' WHERE id = $1`, rec.ID)
	require.NoError(t, err)
	rows := storetest.MustVerifyChain(t, s)
	err = request()
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err), "%v", err)
	require.Contains(t, core.ErrorMessage(err), "already has a refund in progress")
	require.Equal(t, rows, storetest.MustVerifyChain(t, s), "the deposit's move and its audit row were rolled back with the refund")
	page, err := s.FindDeposits(ctx, core.DepositFilter{ID: &rec.ID})
	require.NoError(t, err)
	require.Equal(t, core.StatusCredited, page.Records[0].Status)

	insert := func(depositID int64, status core.RefundStatus) error {
		_, err := conn.Exec(ctx, `INSERT INTO refunds (deposit_id, status, address, network, amount, requested_by, created_at, updated_at)
			VALUES ($1, $2, $3, 'regtest', $4::numeric, 'rita', now(), now())`, depositID, string(status), storetest.BTCAddress(7), rec.Amount.String())
		return err
	}
	requireViolation := func(code, constraint string, err error) {
		t.Helper()
		var pe *pgconn.PgError
		require.True(t, errors.As(err, &pe), "%v", err)
		require.Equal(t, code, pe.Code)
		require.Equal(t, constraint, pe.ConstraintName)
	}
	for _, live := range []core.RefundStatus{core.RefundRequested, core.RefundApproved, core.RefundPrepared, core.RefundSigned, core.RefundBroadcast, core.RefundConfirmed} {
		requireViolation("23505", "refunds_live", insert(rec.ID, live))
	}
	require.NoError(t, insert(other.ID, core.RefundPrepared), "another deposit has its own refund; prepared is a status")

	_, err = conn.Exec(ctx, `UPDATE refunds SET status = 'failed' WHERE deposit_id = $1`, rec.ID)
	require.NoError(t, err)
	require.NoError(t, insert(rec.ID, core.RefundRejected), "failed and rejected refunds are not live")
	require.NoError(t, insert(rec.ID, core.RefundRequested), "after a failed refund a new one may be requested")
	requireViolation("23505", "refunds_live", insert(rec.ID, core.RefundApproved))

	_, err = conn.Exec(ctx, `UPDATE refunds SET status = 'lost' WHERE deposit_id = $1`, other.ID)
	requireViolation("23514", "refunds_status_check", err)
}
